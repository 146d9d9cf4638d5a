namespace Oversight.Governance;

/// <summary>A tenant's alert thresholds (defaults as <c>API.md</c> gives them) and its time zone.</summary>
/// <param name="TimeZone">IANA zone of the tenant's local days and periods.</param>
/// <param name="ShortDeadlineHours">A data request giving fewer hours than this is a short deadline.</param>
/// <param name="DuplicateWindowDays">Days within which the same item asked of the same target by another source is a duplicate.</param>
/// <param name="CascadeLimit">Events at one cascade depth above this amplify.</param>
/// <param name="ReportDueDays">Days a report may stay unresolved before it is overdue (限时办结).</param>
[GenerateSerializer, Immutable, Alias("Oversight.AlertSettings")]
public sealed record AlertSettings(
    [property: Id(0)] string TimeZone,
    [property: Id(1)] double ShortDeadlineHours = AlertSettings.DefaultShortDeadlineHours,
    [property: Id(2)] int DuplicateWindowDays = AlertSettings.DefaultDuplicateWindowDays,
    [property: Id(3)] int CascadeLimit = AlertSettings.DefaultCascadeLimit,
    [property: Id(4)] int ReportDueDays = AlertSettings.DefaultReportDueDays)
{
    /// <summary>Default of <see cref="ShortDeadlineHours"/>.</summary>
    public const double DefaultShortDeadlineHours = 24;

    /// <summary>Default of <see cref="DuplicateWindowDays"/>.</summary>
    public const int DefaultDuplicateWindowDays = 30;

    /// <summary>Default of <see cref="ReportDueDays"/>.</summary>
    public const int DefaultReportDueDays = 10;

    /// <summary>Default of <see cref="CascadeLimit"/>.</summary>
    public const int DefaultCascadeLimit = 3;

    /// <summary>The tenant's zone, resolved (UTC when unknown).</summary>
    public TimeZoneInfo Zone => TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone, out var zone) ? zone : TimeZoneInfo.Utc;
}
