namespace Oversight.Governance;

/// <summary>A rule that fired. The id is derived from what fired it, so raising it again changes nothing.</summary>
/// <param name="Id">Deterministic id, e.g. <c>shortDeadline:REQ-7</c>.</param>
/// <param name="Type">One of <see cref="AlertTypes"/>.</param>
/// <param name="Unit">The unit whose action raised it (issuer or source).</param>
/// <param name="Affected">The units it lands on.</param>
/// <param name="EventId">The event that raised it, when one did.</param>
/// <param name="Period">The period it concerns (<c>2026</c>, <c>2026-11</c>, <c>2026-11-24</c>).</param>
/// <param name="RaisedAt">When the platform raised it.</param>
/// <param name="Detail">What happened, with the numbers, in Chinese and English.</param>
[GenerateSerializer, Immutable, Alias("Oversight.Alert")]
public sealed record Alert(
    [property: Id(0)] string Id,
    [property: Id(1)] string Type,
    [property: Id(2)] string Unit,
    [property: Id(3)] string[] Affected,
    [property: Id(4)] string? EventId,
    [property: Id(5)] string? Period,
    [property: Id(6)] DateTimeOffset RaisedAt,
    [property: Id(7)] string Detail);

/// <summary>The alert types of <c>API.md</c>.</summary>
public static class AlertTypes
{
    /// <summary>Issued count on course to pass a cap.</summary>
    public const string QuotaTrend = "quotaTrend";

    /// <summary>Issued count past a cap.</summary>
    public const string QuotaExceeded = "quotaExceeded";

    /// <summary>A data request due in less than the threshold.</summary>
    public const string ShortDeadline = "shortDeadline";

    /// <summary>The same item asked of the same target by another source within the window.</summary>
    public const string DuplicateDataRequest = "duplicateDataRequest";

    /// <summary>An inspection outside the annual plan.</summary>
    public const string UnplannedInspection = "unplannedInspection";

    /// <summary>A directive multiplied past the limit at some cascade depth.</summary>
    public const string CascadeAmplification = "cascadeAmplification";

    /// <summary>A report not resolved by its due time.</summary>
    public const string ReportOverdue = "reportOverdue";

    /// <summary>Every type, in the order of <c>API.md</c>.</summary>
    public static readonly IReadOnlyList<string> Ordered =
        [QuotaTrend, QuotaExceeded, ShortDeadline, DuplicateDataRequest, UnplannedInspection, CascadeAmplification, ReportOverdue];

    /// <summary>Every type.</summary>
    public static readonly IReadOnlySet<string> All = new HashSet<string>(Ordered, StringComparer.Ordinal);
}
