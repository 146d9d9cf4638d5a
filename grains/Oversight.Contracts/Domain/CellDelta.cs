namespace Oversight.Domain;

/// <summary>
/// A sparse change of load vectors, for deliveries: one cell per counted amount (a delivery sets
/// one or two of a day's <see cref="LoadCounters.Width"/> slots, so whole vectors would be mostly
/// zeros). Each cell packs the day and slot in its high 32 bits and the amount in its low 32 bits;
/// a day and slot may appear more than once, and the amounts add up.
/// </summary>
[GenerateSerializer, Immutable, Alias("Oversight.CellDelta")]
public sealed record CellDelta([property: Id(0)] long[] Cells)
{
    private const int SlotBits = 4;

    /// <summary>The empty delta.</summary>
    public static CellDelta Empty { get; } = new([]);

    /// <summary>True when there is nothing to apply.</summary>
    public bool IsEmpty => Cells.Length == 0;

    /// <summary>Packs one cell; amounts are those of one delivery, far inside 32 bits.</summary>
    public static long Pack(int day, int slot, int amount) => ((long)((day << SlotBits) | slot) << 32) | (uint)amount;

    /// <summary>The day of a cell.</summary>
    public static int DayOf(long cell) => (int)(cell >> 32) >> SlotBits;

    /// <summary>The slot of a cell.</summary>
    public static int SlotOf(long cell) => (int)(cell >> 32) & ((1 << SlotBits) - 1);

    /// <summary>The amount of a cell.</summary>
    public static int AmountOf(long cell) => (int)cell;
}

/// <summary>Accumulates a <see cref="CellDelta"/>.</summary>
public sealed class CellDeltaBuilder
{
    private long[] _cells = new long[8];
    private int _count;

    /// <summary>Adds <paramref name="amount"/> to slot <paramref name="slot"/> of day <paramref name="day"/>.</summary>
    public void Add(int day, int slot, long amount)
    {
        if (_count == _cells.Length)
        {
            Array.Resize(ref _cells, _count * 2);
        }

        _cells[_count++] = CellDelta.Pack(day, slot, checked((int)amount));
    }

    /// <summary>The accumulated cells.</summary>
    public CellDelta Build() => _count == 0 ? CellDelta.Empty : new CellDelta(_cells.AsSpan(0, _count).ToArray());
}
