namespace Oversight.Domain;

/// <summary>The bucket size a period is answered from.</summary>
public enum PeriodGranularity
{
    /// <summary>Local days, keyed by <see cref="DateOnly.DayNumber"/>.</summary>
    Day = 0,

    /// <summary>Local months, keyed by <c>year * 12 + month - 1</c>.</summary>
    Month = 1,

    /// <summary>Local years, keyed by the year.</summary>
    Year = 2,
}
