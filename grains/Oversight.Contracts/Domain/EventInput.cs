namespace Oversight.Domain;

/// <summary>One event as a client sends it, before validation (field names as in <c>API.md</c>).</summary>
public sealed class EventInput
{
    /// <summary>Event id, unique in the tenant.</summary>
    public string? Id { get; set; }

    /// <summary>One of the six kinds.</summary>
    public string? Kind { get; set; }

    /// <summary>The issuing unit.</summary>
    public string? Source { get; set; }

    /// <summary>The receiving units.</summary>
    public string?[]? Targets { get; set; }

    /// <summary>RFC 3339 instant with an offset.</summary>
    public string? OccurredAt { get; set; }

    /// <summary>Document: formal (red-head) or not.</summary>
    public bool? Formal { get; set; }

    /// <summary>Meeting length.</summary>
    public long? DurationMinutes { get; set; }

    /// <summary>Meeting mode.</summary>
    public string? Mode { get; set; }

    /// <summary>Inspection on-site days.</summary>
    public long? Days { get; set; }

    /// <summary>Inspection inside the annual plan.</summary>
    public bool? Planned { get; set; }

    /// <summary>Data request: hours given to answer.</summary>
    public double? DeadlineHours { get; set; }

    /// <summary>Data request: names of the data asked for.</summary>
    public string?[]? DataItems { get; set; }

    /// <summary>Digital demand channel.</summary>
    public string? Channel { get; set; }

    /// <summary>Over-reach category.</summary>
    public string? Category { get; set; }

    /// <summary>The event this one carries out (a cascade link).</summary>
    public string? CausedBy { get; set; }
}
