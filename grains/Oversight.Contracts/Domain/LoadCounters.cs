namespace Oversight.Domain;

/// <summary>
/// Layout of one load vector: the counters kept per unit and per bucket. A vector is a plain
/// <c>long</c> span so buckets fold with a loop and travel compactly between grains.
/// </summary>
public static class LoadCounters
{
    /// <summary>Slots in one vector.</summary>
    public const int Width = 2 * EventKinds.Count + 2;

    /// <summary>Slot of the received count of a kind.</summary>
    public static int Received(EventKind kind) => (int)kind;

    /// <summary>Slot of the issued count of a kind.</summary>
    public static int Issued(EventKind kind) => EventKinds.Count + (int)kind;

    /// <summary>Slot of the sum of received meeting minutes.</summary>
    public const int MeetingMinutes = 2 * EventKinds.Count;

    /// <summary>Slot of the sum of received inspection days.</summary>
    public const int InspectionDays = MeetingMinutes + 1;

    /// <summary>Adds <paramref name="source"/> into <paramref name="target"/>, slot by slot.</summary>
    public static void AddInto(Span<long> target, ReadOnlySpan<long> source)
    {
        for (var i = 0; i < Width; i++)
        {
            target[i] += source[i];
        }
    }

    /// <summary>True when every slot is zero.</summary>
    public static bool IsZero(ReadOnlySpan<long> vector) => !vector[..Width].ContainsAnyExcept(0L);
}
