using Oversight.Domain;

namespace Oversight.Governance;

/// <summary>Caps on what a unit issues, per kind, per month and per year.</summary>
[GenerateSerializer, Immutable, Alias("Oversight.Quotas")]
public sealed record Quotas([property: Id(0)] Dictionary<EventKind, long> Month, [property: Id(1)] Dictionary<EventKind, long> Year)
{
    /// <summary>No caps.</summary>
    public static Quotas None { get; } = new([], []);

    /// <summary>True when nothing is capped.</summary>
    public bool IsEmpty => Month.Count == 0 && Year.Count == 0;
}
