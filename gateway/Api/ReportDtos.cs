using System.Text.Json.Serialization;

namespace Oversight.Gateway.Api;

/// <summary>The body of <c>POST …/reports</c>.</summary>
public sealed class ReportInput
{
    public string? FromUnit { get; set; }

    public string? AboutUnit { get; set; }

    public string? Category { get; set; }

    public string? Text { get; set; }

    public bool? Anonymous { get; set; }

    public string[]? RelatedEvents { get; set; }
}

/// <summary>The body of <c>POST …/reports/{id}/resolve</c>.</summary>
public sealed class ResolutionInput
{
    public string? Resolution { get; set; }
}

/// <summary>The body of <c>POST …/reports/{id}/rate</c>.</summary>
public sealed class RatingInput
{
    public int? Score { get; set; }
}

/// <summary>One step of a report's audit trail; <c>unit</c> is null for an administrator, and for the reporter's own steps of an anonymous report.</summary>
public sealed record ReportStepDto(string Action, string At, string? Unit);

/// <summary>A report as the API shows it to one caller.</summary>
public sealed record ReportDto(
    string Id,
    string? FromUnit,
    string AboutUnit,
    string Category,
    string Text,
    bool Anonymous,
    string[] RelatedEvents,
    string Status,
    bool Overdue,
    string CreatedAt,
    string DueAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? AcknowledgedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ResolvedAt,
    string? Resolution,
    int? Score,
    ReportStepDto[] History);
