namespace Oversight.Domain;

/// <summary>
/// Load vectors bucketed by local day and folded into months and years as they arrive, so a
/// period query reads one bucket (month, year, day) or sums at most 400 days. Sparse: a day with
/// no traffic costs nothing.
/// </summary>
public sealed class PeriodCounters
{
    private readonly VectorTable _days = new();
    private readonly VectorTable _months = new();
    private readonly VectorTable _years = new();

    /// <summary>The days that have a bucket.</summary>
    public IEnumerable<int> DayKeys => _days.Keys;

    /// <summary>The day's vector, or false when the day has no bucket.</summary>
    public bool TryGetDay(int dayNumber, out ReadOnlySpan<long> vector) => _days.TryGet(dayNumber, out vector);

    /// <summary>Number of non-empty day buckets.</summary>
    public int DayCount => _days.Count;

    /// <summary>Adds a vector to a day and to its month and year.</summary>
    public void Add(int dayNumber, ReadOnlySpan<long> vector)
    {
        var date = DateOnly.FromDayNumber(dayNumber);
        _days.Add(dayNumber, vector);
        _months.Add(PeriodRange.MonthKey(date), vector);
        _years.Add(date.Year, vector);
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
        int lastDay = -1, month = 0, year = 0;
        foreach (var cell in delta.Cells)
        {
            var day = CellDelta.DayOf(cell);
            if (day != lastDay)
            {
                var date = DateOnly.FromDayNumber(day);
                (lastDay, month, year) = (day, PeriodRange.MonthKey(date), date.Year);
            }

            var (slot, amount) = (CellDelta.SlotOf(cell), CellDelta.AmountOf(cell));
            _days.GetOrAdd(day)[slot] += amount;
            _months.GetOrAdd(month)[slot] += amount;
            _years.GetOrAdd(year)[slot] += amount;
        }
    }

    /// <summary>Sums the buckets of a range into <paramref name="into"/>.</summary>
    public void SumInto(PeriodRange range, Span<long> into)
    {
        var buckets = range.Granularity switch
        {
            PeriodGranularity.Year => _years,
            PeriodGranularity.Month => _months,
            _ => _days,
        };
        if (buckets.Count < range.Length)
        {
            foreach (var (key, slot) in buckets.Slots)
            {
                if (key >= range.From && key <= range.To)
                {
                    LoadCounters.AddInto(into, buckets.At(slot));
                }
            }

            return;
        }

        for (var key = range.From; key <= range.To; key++)
        {
            if (buckets.TryGet(key, out var vector))
            {
                LoadCounters.AddInto(into, vector);
            }
        }
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
