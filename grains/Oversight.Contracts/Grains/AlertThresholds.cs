namespace Oversight.Grains;

/// <summary>Alert thresholds a tenant may set; a null keeps the current value.</summary>
[GenerateSerializer, Immutable, Alias("Oversight.AlertThresholds")]
public sealed record AlertThresholds(
    [property: Id(0)] double? ShortDeadlineHours,
    [property: Id(1)] int? DuplicateWindowDays,
    [property: Id(2)] int? CascadeLimit,
    [property: Id(3)] int? ReportDueDays = null);
