namespace Oversight.Domain;

/// <summary>
/// A change of load vectors by local day, flattened for the wire: <see cref="Values"/> holds
/// <see cref="LoadCounters.Width"/> slots per entry of <see cref="Days"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("Oversight.DayDelta")]
public sealed record DayDelta([property: Id(0)] int[] Days, [property: Id(1)] long[] Values)
{
    /// <summary>The empty delta.</summary>
    public static DayDelta Empty { get; } = new([], []);

    /// <summary>True when there is nothing to apply.</summary>
    public bool IsEmpty => Days.Length == 0;
}

/// <summary>Accumulates a <see cref="DayDelta"/>; days merge, all-zero days are dropped.</summary>
public sealed class DayDeltaBuilder
{
    private readonly VectorTable _days = new();

    /// <summary>True when nothing has been added (or everything cancelled out).</summary>
    public bool IsEmpty => _days.Count == 0;

    /// <summary>Adds (or subtracts) a vector on a day.</summary>
    public void Add(int day, ReadOnlySpan<long> vector, bool negate = false)
    {
        var slot = _days.GetOrAdd(day);
        for (var i = 0; i < LoadCounters.Width; i++)
        {
            slot[i] += negate ? -vector[i] : vector[i];
        }
    }

    /// <summary>Adds one slot on a day.</summary>
    public void Add(int day, int slot, long amount) => _days.GetOrAdd(day)[slot] += amount;

    /// <summary>Adds a whole delta.</summary>
    public void Add(DayDelta delta, bool negate = false)
    {
        for (var i = 0; i < delta.Days.Length; i++)
        {
            Add(delta.Days[i], delta.Values.AsSpan(i * LoadCounters.Width, LoadCounters.Width), negate);
        }
    }

    /// <summary>The accumulated delta; the builder is left empty.</summary>
    public DayDelta Build()
    {
        var days = new List<int>(_days.Count);
        foreach (var (day, slot) in _days.Slots)
        {
            if (!LoadCounters.IsZero(_days.At(slot)))
            {
                days.Add(day);
            }
        }

        days.Sort();
        var values = new long[days.Count * LoadCounters.Width];
        for (var i = 0; i < days.Count; i++)
        {
            _days.TryGet(days[i], out var vector);
            vector.CopyTo(values.AsSpan(i * LoadCounters.Width));
        }

        _days.Clear();
        return new DayDelta([.. days], values);
    }
}
