namespace Oversight.Domain;

/// <summary>
/// Load vectors bucketed by local day and folded into months and years as they arrive, so a
/// period query reads one bucket (month, year, day) or sums at most 400 days. Sparse: a day with
/// no traffic costs nothing.
/// </summary>
public sealed class PeriodCounters
{
    private readonly Dictionary<int, long[]> _days = [];
    private readonly Dictionary<int, long[]> _months = [];
    private readonly Dictionary<int, long[]> _years = [];

    /// <summary>The day buckets (day number → vector); the source of truth for a snapshot.</summary>
    public IReadOnlyDictionary<int, long[]> Days => _days;

    /// <summary>Number of non-empty day buckets.</summary>
    public int DayCount => _days.Count;

    /// <summary>Adds a vector to a day and to its month and year.</summary>
    public void Add(int dayNumber, ReadOnlySpan<long> vector)
    {
        var date = DateOnly.FromDayNumber(dayNumber);
        LoadCounters.AddInto(Bucket(_days, dayNumber), vector);
        LoadCounters.AddInto(Bucket(_months, PeriodRange.MonthKey(date)), vector);
        LoadCounters.AddInto(Bucket(_years, date.Year), vector);
    }

    /// <summary>Adds every bucket of a delta.</summary>
    public void Add(DayDelta delta)
    {
        for (var i = 0; i < delta.Days.Length; i++)
        {
            Add(delta.Days[i], delta.Values.AsSpan(i * LoadCounters.Width, LoadCounters.Width));
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
            foreach (var (key, vector) in buckets)
            {
                if (key >= range.From && key <= range.To)
                {
                    LoadCounters.AddInto(into, vector);
                }
            }

            return;
        }

        for (var key = range.From; key <= range.To; key++)
        {
            if (buckets.TryGetValue(key, out var vector))
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
        var builder = new DayDeltaBuilder();
        foreach (var (day, vector) in _days)
        {
            builder.Add(day, vector, negate);
        }

        return builder.Build();
    }

    private static long[] Bucket(Dictionary<int, long[]> buckets, int key)
    {
        if (!buckets.TryGetValue(key, out var vector))
        {
            vector = new long[LoadCounters.Width];
            buckets[key] = vector;
        }

        return vector;
    }
}
