namespace Oversight.Gateway.Api;

/// <summary>One refused event of a batch.</summary>
public sealed record EventRejectionDto(int Index, string? Id, string Error, string Detail);

/// <summary>The answer of <c>POST …/events</c>.</summary>
public sealed record IngestResponse(int Accepted, int Duplicates, IReadOnlyList<EventRejectionDto> Rejected);
