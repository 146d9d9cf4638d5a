namespace Oversight.Domain;

/// <summary>An inclusive range of buckets of one granularity.</summary>
/// <param name="Granularity">The bucket size.</param>
/// <param name="From">First bucket key (see <see cref="PeriodGranularity"/>).</param>
/// <param name="To">Last bucket key, inclusive.</param>
[GenerateSerializer, Immutable, Alias("Oversight.PeriodRange")]
public readonly record struct PeriodRange(
    [property: Id(0)] PeriodGranularity Granularity,
    [property: Id(1)] int From,
    [property: Id(2)] int To)
{
    /// <summary>Number of buckets in the range.</summary>
    public int Length => To - From + 1;

    /// <summary>The month key of a day.</summary>
    public static int MonthKey(DateOnly day) => day.Year * 12 + day.Month - 1;

    /// <summary>The month key of a day number.</summary>
    public static int MonthKey(int dayNumber) => MonthKey(DateOnly.FromDayNumber(dayNumber));

    /// <summary>Renders a bucket key as a period string (<c>2026</c>, <c>2026-11</c>, <c>2026-11-24</c>).</summary>
    public static string Format(PeriodGranularity granularity, int key) => granularity switch
    {
        PeriodGranularity.Year => key.ToString("D4", System.Globalization.CultureInfo.InvariantCulture),
        PeriodGranularity.Month => $"{key / 12:D4}-{key % 12 + 1:D2}",
        _ => DateOnly.FromDayNumber(key).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>The first local day the range covers.</summary>
    public DateOnly FirstDay => Granularity switch
    {
        PeriodGranularity.Year => new DateOnly(From, 1, 1),
        PeriodGranularity.Month => new DateOnly(From / 12, From % 12 + 1, 1),
        _ => DateOnly.FromDayNumber(From),
    };

    /// <summary>The last local day the range covers.</summary>
    public DateOnly LastDay => Granularity switch
    {
        PeriodGranularity.Year => new DateOnly(To, 12, 31),
        PeriodGranularity.Month => new DateOnly(To / 12, To % 12 + 1, 1).AddMonths(1).AddDays(-1),
        _ => DateOnly.FromDayNumber(To),
    };

    /// <summary>True when a local day lies in the range.</summary>
    public bool Covers(DateOnly day) => FirstDay <= day && day <= LastDay;

    /// <summary>The same range a year earlier (a leap day maps to 28 February).</summary>
    public PeriodRange YearEarlier() => Granularity switch
    {
        PeriodGranularity.Year => this with { From = From - 1, To = To - 1 },
        PeriodGranularity.Month => this with { From = From - 12, To = To - 12 },
        _ => this with { From = DateOnly.FromDayNumber(From).AddYears(-1).DayNumber, To = DateOnly.FromDayNumber(To).AddYears(-1).DayNumber },
    };
}
