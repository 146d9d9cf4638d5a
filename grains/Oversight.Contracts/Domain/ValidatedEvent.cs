namespace Oversight.Domain;

/// <summary>An event that passed validation, with its units resolved against one tree version.</summary>
public sealed record ValidatedEvent(
    string Id,
    EventKind Kind,
    int Source,
    int[] Targets,
    DateTimeOffset OccurredAt,
    int Day,
    int MeetingMinutes,
    int InspectionDays,
    bool Formal,
    string Mode,
    bool Planned,
    double? DeadlineHours,
    string[] DataItems,
    string Channel,
    string Category,
    string? CausedBy);

/// <summary>Why an event was rejected: a code of <c>API.md</c> and a human detail.</summary>
public sealed record EventRejection(string Error, string Detail)
{
    /// <summary>Malformed or invalid fields.</summary>
    public static EventRejection Invalid(string detail) => new("invalidEvent", detail);
}
