namespace Oversight.Domain;

/// <summary>
/// Load vectors bucketed by local day. A month or a year is the sum of its days, taken when asked
/// (a year is 365 lookups in a dense index, microseconds), so counting touches one bucket per
/// cell instead of three. Sparse: a day with no traffic costs nothing.
/// </summary>
public sealed class PeriodCounters
{
    private readonly VectorTable _days = new();

    /// <summary>The buckets themselves, for <see cref="DayCountersCodec"/>.</summary>
    internal VectorTable Table => _days;

    /// <summary>The days that have a bucket.</summary>
    public IEnumerable<int> DayKeys => _days.Keys;

    /// <summary>The day's vector, or false when the day has no bucket.</summary>
    public bool TryGetDay(int dayNumber, out ReadOnlySpan<long> vector) => _days.TryGet(dayNumber, out vector);

    /// <summary>Number of non-empty day buckets.</summary>
    public int DayCount => _days.Count;

    /// <summary>The day's vector to add into, made (zero) when the day has no bucket yet. Valid until another day is added.</summary>
    public Span<long> Day(int dayNumber) => _days.GetOrAdd(dayNumber);

    /// <summary>Adds a vector to a day.</summary>
    public void Add(int dayNumber, ReadOnlySpan<long> vector) => _days.Add(dayNumber, vector);

    /// <summary>Adds every bucket of a delta.</summary>
    public void Add(DayDelta delta)
    {
        for (var i = 0; i < delta.Days.Length; i++)
        {
            _days.Add(delta.Days[i], delta.Values.AsSpan(i * LoadCounters.Width, LoadCounters.Width));
        }
    }

    /// <summary>Adds every cell of a sparse delta.</summary>
    public void Add(CellDelta delta)
    {
        // A run of cells of one day (a delivery's cells come in pairs of a day) shares one lookup.
        var lastDay = -1;
        Span<long> bucket = default;
        foreach (var cell in delta.Cells)
        {
            var day = CellDelta.DayOf(cell);
            if (day != lastDay)
            {
                lastDay = day;
                bucket = _days.GetOrAdd(day);
            }

            bucket[CellDelta.SlotOf(cell)] += CellDelta.AmountOf(cell);
        }
    }

    /// <summary>Sums the days of a range into <paramref name="into"/>.</summary>
    public void SumInto(PeriodRange range, Span<long> into)
    {
        var (from, to) = DayBounds(range);
        if (_days.Count < to - from + 1)
        {
            foreach (var (key, slot) in _days.Slots)
            {
                if (key >= from && key <= to)
                {
                    LoadCounters.AddInto(into, _days.At(slot));
                }
            }

            return;
        }

        for (var key = from; key <= to; key++)
        {
            if (_days.TryGet(key, out var vector))
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

    /// <summary>All day buckets as one delta (for moving a subtree or taking a snapshot).</summary>
    public DayDelta ToDelta(bool negate = false)
    {
        // Straight into arrays of the final size: checkpoints take this every few seconds.
        var days = new int[_days.Count];
        var count = 0;
        foreach (var (day, slot) in _days.Slots)
        {
            if (!LoadCounters.IsZero(_days.At(slot)))
            {
                days[count++] = day;
            }
        }

        Array.Sort(days, 0, count);
        var values = new long[count * LoadCounters.Width];
        for (var i = 0; i < count; i++)
        {
            _days.TryGet(days[i], out var vector);
            var into = values.AsSpan(i * LoadCounters.Width, LoadCounters.Width);
            vector.CopyTo(into);
            if (negate)
            {
                for (var k = 0; k < into.Length; k++)
                {
                    into[k] = -into[k];
                }
            }
        }

        return new DayDelta(count == days.Length ? days : days[..count], values);
    }
}
