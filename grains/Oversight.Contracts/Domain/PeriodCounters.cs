using System.Buffers;
using System.Runtime.CompilerServices;

namespace Oversight.Domain;

/// <summary>
/// Load vectors bucketed by local day. A month or a year is the sum of its days, taken when asked
/// (a year is 365 lookups in a dense index, microseconds), so counting touches one bucket per
/// cell instead of three. Sparse: a day with no traffic costs nothing.
/// <para>
/// Held as cells (day, slot) while that is smaller, then as rows of a day's fourteen counters. A
/// leaf receives one or two kinds a day, so most of a row held zeros: on a tree of 100,000 units,
/// most of whose units are leaves, rows were the largest part of the live heap. A unit whose days
/// fill more than about three slots each (a parent summing many children) moves to rows when its
/// cells would next grow, and stays there.
/// </para>
/// </summary>
public sealed class PeriodCounters
{
    /// <summary>Bytes a day's row costs, with its share of the table's keys, index and chunks.</summary>
    private const int RowBytes = (LoadCounters.Width * sizeof(long)) + 16;

    /// <summary>Bytes a cell's pair costs (key and value).</summary>
    private const int PairBytes = 16;

    // Exactly one is set: cells until the move to rows, rows after.
    private CellTable? _cells = new();
    private VectorTable? _rows;

    /// <summary>Whether the counters are held as rows (for tests of the move).</summary>
    public bool InRows => _rows is not null;

    /// <summary>The days that have a bucket, in no particular order (a day stays once added, even if it returns to zero).</summary>
    public IEnumerable<int> DayKeys
    {
        get
        {
            if (_rows is not null)
            {
                return _rows.Keys;
            }

            int[]? days = null;
            var count = SortedDays(ref days);
            return days.AsSpan(0, count).ToArray();
        }
    }

    /// <summary>Number of days that have a bucket.</summary>
    public int DayCount
    {
        get
        {
            if (_rows is not null)
            {
                return _rows.Count;
            }

            int[]? days = null;
            return SortedDays(ref days);
        }
    }

    /// <summary>One slot of a day (0 when the day has none).</summary>
    public long Get(int dayNumber, int slot)
    {
        if (_rows is not null)
        {
            return _rows.TryGet(dayNumber, out var row) ? row[slot] : 0;
        }

        return _cells!.Get(dayNumber, slot);
    }

    /// <summary>Copies a day's vector into <paramref name="into"/> (zeros when the day has no bucket); false when it has none.</summary>
    public bool TryGetDay(int dayNumber, Span<long> into)
    {
        into[..LoadCounters.Width].Clear();
        if (_rows is not null)
        {
            if (!_rows.TryGet(dayNumber, out var row))
            {
                return false;
            }

            row.CopyTo(into);
            return true;
        }

        var held = false;
        for (var k = 0; k < LoadCounters.Width; k++)
        {
            ref var cell = ref _cells!.Find(dayNumber, k);
            if (!Unsafe.IsNullRef(ref cell))
            {
                into[k] = cell;
                held = true;
            }
        }

        return held;
    }

    /// <summary>Adds an amount to one slot of a day.</summary>
    public void Add(int dayNumber, int slot, long amount)
    {
        if (_rows is not null)
        {
            _rows.GetOrAdd(dayNumber)[slot] += amount;
            return;
        }

        ref var cell = ref _cells!.Find(dayNumber, slot);
        if (!Unsafe.IsNullRef(ref cell))
        {
            cell += amount;
            return;
        }

        if (amount == 0)
        {
            return;
        }

        if (_cells.IsFull && MoveToRowsIfSmaller())
        {
            _rows!.GetOrAdd(dayNumber)[slot] += amount;
            return;
        }

        _cells.AddNew(dayNumber, slot) = amount;
    }

    /// <summary>Adds a vector to a day.</summary>
    public void Add(int dayNumber, ReadOnlySpan<long> vector)
    {
        if (_rows is not null)
        {
            _rows.Add(dayNumber, vector);
            return;
        }

        for (var k = 0; k < LoadCounters.Width; k++)
        {
            if (vector[k] != 0)
            {
                Add(dayNumber, k, vector[k]);
            }
        }
    }

    /// <summary>Adds every bucket of a delta.</summary>
    public void Add(DayDelta delta)
    {
        for (var i = 0; i < delta.Days.Length; i++)
        {
            Add(delta.Days[i], delta.Values.AsSpan(i * LoadCounters.Width, LoadCounters.Width));
        }
    }

    /// <summary>Adds every cell of a sparse delta.</summary>
    public void Add(CellDelta delta)
    {
        if (_rows is null)
        {
            foreach (var cell in delta.Cells)
            {
                Add(CellDelta.DayOf(cell), CellDelta.SlotOf(cell), CellDelta.AmountOf(cell));
            }

            return;
        }

        // A run of cells of one day (a delivery's cells come in pairs of a day) shares one lookup.
        var lastDay = -1;
        Span<long> bucket = default;
        foreach (var cell in delta.Cells)
        {
            var day = CellDelta.DayOf(cell);
            if (day != lastDay)
            {
                lastDay = day;
                bucket = _rows.GetOrAdd(day);
            }

            bucket[CellDelta.SlotOf(cell)] += CellDelta.AmountOf(cell);
        }
    }

    /// <summary>
    /// The distinct days that have a bucket, sorted, into <paramref name="days"/> (grown when too
    /// small); returns how many.
    /// </summary>
    public int SortedDays(ref int[]? days)
    {
        if (_rows is not null)
        {
            if (days is null || days.Length < _rows.Count)
            {
                days = new int[_rows.Count];
            }

            _rows.Keys.AsSpan().CopyTo(days);
            Array.Sort(days, 0, _rows.Count);
            return _rows.Count;
        }

        if (days is null || days.Length < _cells!.Count)
        {
            days = new int[_cells!.Count];
        }

        return CellDays(_cells, days);
    }

    /// <summary>The distinct days of the cells, sorted, into <paramref name="days"/> (at least as long as the cells); returns how many.</summary>
    private static int CellDays(CellTable cells, int[] days)
    {
        var n = 0;
        foreach (var (day, _, _) in cells.Cells)
        {
            days[n++] = day;
        }

        Array.Sort(days, 0, n);
        var distinct = 0;
        for (var i = 0; i < n; i++)
        {
            if (distinct == 0 || days[i] != days[distinct - 1])
            {
                days[distinct++] = days[i];
            }
        }

        return distinct;
    }

    /// <summary>
    /// Moves every cell to rows when rows would take less room than the cells after their next
    /// growth (the table is full): true when moved.
    /// </summary>
    private bool MoveToRowsIfSmaller()
    {
        var cells = _cells!;
        var days = ArrayPool<int>.Shared.Rent(cells.Count);
        try
        {
            var distinct = CellDays(cells, days);
            if ((long)distinct * RowBytes >= 2L * cells.Capacity * PairBytes)
            {
                return false;
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(days);
        }

        var rows = new VectorTable();
        foreach (var (day, slot, value) in cells.Cells)
        {
            rows.GetOrAdd(day)[slot] = value;
        }

        _rows = rows;
        _cells = null;
        return true;
    }

    /// <summary>Sums the days of a range into <paramref name="into"/>.</summary>
    public void SumInto(PeriodRange range, Span<long> into)
    {
        var (from, to) = DayBounds(range);
        if (_rows is null)
        {
            if ((long)(to - from + 1) * LoadCounters.Width < _cells!.Capacity)
            {
                // A few days of a large table (a trend's day): their slots are looked up.
                for (var day = from; day <= to; day++)
                {
                    for (var k = 0; k < LoadCounters.Width; k++)
                    {
                        into[k] += _cells.Get(day, k);
                    }
                }

                return;
            }

            foreach (var (day, slot, value) in _cells.Cells)
            {
                if (day >= from && day <= to)
                {
                    into[slot] += value;
                }
            }

            return;
        }

        if (_rows.Count < to - from + 1)
        {
            foreach (var (key, slot) in _rows.Slots)
            {
                if (key >= from && key <= to)
                {
                    LoadCounters.AddInto(into, _rows.At(slot));
                }
            }

            return;
        }

        for (var key = from; key <= to; key++)
        {
            if (_rows.TryGet(key, out var vector))
            {
                LoadCounters.AddInto(into, vector);
            }
        }
    }

    /// <summary>The first and last day number of a range (years outside 1..9999 cover nothing more).</summary>
    private static (int From, int To) DayBounds(PeriodRange range)
    {
        if (range.Granularity == PeriodGranularity.Day)
        {
            return (range.From, range.To);
        }

        static int Year(int year) => Math.Clamp(year, 1, 9999);
        return range.Granularity == PeriodGranularity.Year
            ? (new DateOnly(Year(range.From), 1, 1).DayNumber, new DateOnly(Year(range.To), 12, 31).DayNumber)
            : (new DateOnly(Year(range.From / 12), range.From % 12 + 1, 1).DayNumber,
               new DateOnly(Year(range.To / 12), range.To % 12 + 1, 1).AddMonths(1).AddDays(-1).DayNumber);
    }

    /// <summary>The sum over a range as a new vector.</summary>
    public long[] Sum(PeriodRange range)
    {
        var into = new long[LoadCounters.Width];
        SumInto(range, into);
        return into;
    }

    /// <summary>All day buckets as one delta (for moving a subtree or taking a snapshot); days that are all zero are left out.</summary>
    public DayDelta ToDelta(bool negate = false)
    {
        int[]? days = null;
        var held = SortedDays(ref days);
        var values = new long[held * LoadCounters.Width];
        var count = 0;
        for (var i = 0; i < held; i++)
        {
            var into = values.AsSpan(count * LoadCounters.Width, LoadCounters.Width);
            TryGetDay(days![i], into);
            if (LoadCounters.IsZero(into))
            {
                continue;
            }

            if (negate)
            {
                for (var k = 0; k < into.Length; k++)
                {
                    into[k] = -into[k];
                }
            }

            days[count++] = days[i];
        }

        return new DayDelta(days.AsSpan(0, count).ToArray(), count == held ? values : values[..(count * LoadCounters.Width)]);
    }
}
