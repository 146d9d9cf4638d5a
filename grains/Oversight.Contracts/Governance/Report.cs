namespace Oversight.Governance;

/// <summary>
/// A report of upward pressure: a unit tells an ancestor what burden it bears, and follows it to a
/// resolution. Immutable: every change makes a new value, and the tenant's report log keeps each.
/// </summary>
/// <param name="Id">The report's id in the tenant (<c>rpt-12</c>); it says nothing of who filed it.</param>
/// <param name="FromUnit">The reporting unit.</param>
/// <param name="AboutUnit">The strict ancestor the report is about (and who must answer it).</param>
/// <param name="Category">One of <see cref="ReportCategories.All"/>.</param>
/// <param name="Text">What the reporter says, at most <see cref="ReportRules.MaxTextLength"/> characters.</param>
/// <param name="Anonymous">True: nobody above the reporting unit learns who filed it.</param>
/// <param name="RelatedEvents">Ids of the events the report concerns.</param>
/// <param name="Status">One of <see cref="ReportStatuses"/>.</param>
/// <param name="CreatedAt">When it was filed, in the tenant's offset.</param>
/// <param name="DueAt">When it must be resolved by.</param>
/// <param name="Resolution">The answer given when resolved.</param>
/// <param name="Score">The reporter's rating of the resolution, 1..5.</param>
/// <param name="History">The audit trail, oldest first.</param>
[GenerateSerializer, Immutable, Alias("Oversight.Report")]
public sealed record Report(
    [property: Id(0)] string Id,
    [property: Id(1)] string FromUnit,
    [property: Id(2)] string AboutUnit,
    [property: Id(3)] string Category,
    [property: Id(4)] string Text,
    [property: Id(5)] bool Anonymous,
    [property: Id(6)] string[] RelatedEvents,
    [property: Id(7)] string Status,
    [property: Id(8)] DateTimeOffset CreatedAt,
    [property: Id(9)] DateTimeOffset DueAt,
    [property: Id(10)] string? Resolution,
    [property: Id(11)] int? Score,
    [property: Id(12)] ReportStep[] History)
{
    /// <summary>True when not resolved by its due time.</summary>
    public bool IsOverdue(DateTimeOffset now) => Status != ReportStatuses.Resolved && now >= DueAt;

    /// <summary>The <c>reportOverdue</c> alert of this report (its id is fixed, so raising it twice changes nothing).</summary>
    public Alert OverdueAlert(DateTimeOffset now)
    {
        var due = DueAt.ToString("yyyy-MM-dd HH:mm zzz", System.Globalization.CultureInfo.InvariantCulture);
        return new Alert(
            $"{AlertTypes.ReportOverdue}:{Id}",
            AlertTypes.ReportOverdue,
            AboutUnit,
            [AboutUnit],
            null,
            DueAt.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            now,
            $"报告 {Id}（{Category}）未在 {due} 前办结。Report {Id} ({Category}) was not resolved by {due}.");
    }
}

/// <summary>One step of a report's audit trail.</summary>
/// <param name="Action"><c>filed</c>, <c>acknowledged</c>, <c>resolved</c> or <c>rated</c>.</param>
/// <param name="At">When.</param>
/// <param name="Unit">The acting member's scope unit; null when an administrator acted.</param>
/// <param name="ReporterSide">True for the reporter's own steps (filed, rated), which anonymity hides.</param>
[GenerateSerializer, Immutable, Alias("Oversight.ReportStep")]
public sealed record ReportStep(
    [property: Id(0)] string Action,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] string? Unit,
    [property: Id(3)] bool ReporterSide);

/// <summary>What a unit files.</summary>
[GenerateSerializer, Immutable, Alias("Oversight.ReportFiling")]
public sealed record ReportFiling(
    [property: Id(0)] string FromUnit,
    [property: Id(1)] string AboutUnit,
    [property: Id(2)] string Category,
    [property: Id(3)] string Text,
    [property: Id(4)] bool Anonymous,
    [property: Id(5)] string[] RelatedEvents,
    [property: Id(6)] string? FiledBy,
    [property: Id(7)] string TimeZone,
    [property: Id(8)] int DueDays = AlertSettings.DefaultReportDueDays);

/// <summary>The outcome of a change to a report.</summary>
[GenerateSerializer, Immutable, Alias("Oversight.ReportChange")]
public sealed record ReportChange([property: Id(0)] Report? Report, [property: Id(1)] string? Conflict);

/// <summary>The report statuses.</summary>
public static class ReportStatuses
{
    /// <summary>Filed, not yet taken up.</summary>
    public const string Open = "open";

    /// <summary>Taken up by the unit it is about, not yet resolved.</summary>
    public const string Acknowledged = "acknowledged";

    /// <summary>Answered.</summary>
    public const string Resolved = "resolved";

    /// <summary>Not a stored status: open or acknowledged, and past its due time (a filter of the list).</summary>
    public const string Overdue = "overdue";

    /// <summary>What the list may be filtered by.</summary>
    public static readonly IReadOnlyList<string> Filters = [Open, Acknowledged, Resolved, Overdue];
}

/// <summary>The report categories of <c>API.md</c>.</summary>
public static class ReportCategories
{
    /// <summary>Every category.</summary>
    public static readonly IReadOnlyList<string> All = ["documents", "meetings", "inspections", "dataRequests", "digital", "overreach", "other"];
}

/// <summary>Limits of reports.</summary>
public static class ReportRules
{
    /// <summary>Longest text.</summary>
    public const int MaxTextLength = 4_000;

    /// <summary>Longest resolution.</summary>
    public const int MaxResolutionLength = 4_000;

    /// <summary>Most related events.</summary>
    public const int MaxRelatedEvents = 100;

}
