namespace Oversight.Grains;

/// <summary>
/// An accepted event as the durable log keeps it: validated, with units named by id (indexes
/// change with the tree) and its local day fixed at acceptance.
/// </summary>
[GenerateSerializer, Immutable, Alias("Oversight.LoggedEvent")]
public sealed record LoggedEvent
{
    /// <summary>Event id, unique in the tenant.</summary>
    [Id(0)] public required string Id { get; init; }

    /// <summary>The burden kind.</summary>
    [Id(1)] public required Domain.EventKind Kind { get; init; }

    /// <summary>The issuing unit.</summary>
    [Id(2)] public required string Source { get; init; }

    /// <summary>Distinct targets.</summary>
    [Id(3)] public required string[] Targets { get; init; }

    /// <summary>Local day number of <see cref="OccurredAt"/> in the tenant's time zone.</summary>
    [Id(4)] public required int Day { get; init; }

    /// <summary>When it happened.</summary>
    [Id(5)] public required DateTimeOffset OccurredAt { get; init; }

    /// <summary>Meeting length (meetings only).</summary>
    [Id(6)] public int MeetingMinutes { get; init; }

    /// <summary>On-site days (inspections only).</summary>
    [Id(7)] public int InspectionDays { get; init; }

    /// <summary>Document: formal (red-head) or informal.</summary>
    [Id(8)] public bool Formal { get; init; } = true;

    /// <summary>Meeting mode.</summary>
    [Id(9)] public string Mode { get; init; } = "inPerson";

    /// <summary>Inspection inside the annual plan.</summary>
    [Id(10)] public bool Planned { get; init; } = true;

    /// <summary>Data request: hours given to answer.</summary>
    [Id(11)] public double? DeadlineHours { get; init; }

    /// <summary>Data request: the data asked for.</summary>
    [Id(12)] public string[] DataItems { get; init; } = [];

    /// <summary>Digital demand channel.</summary>
    [Id(13)] public string Channel { get; init; } = "other";

    /// <summary>Over-reach category.</summary>
    [Id(14)] public string Category { get; init; } = "other";

    /// <summary>The event this one carries out.</summary>
    [Id(15)] public string? CausedBy { get; init; }
}

/// <summary>One entry of a ledger shard's log: the new events of one batch, with the tenant's alert settings then.</summary>
[GenerateSerializer, Immutable, Alias("Oversight.LogEntry")]
public sealed record LogEntry(
    [property: Id(0)] long Position,
    [property: Id(1)] int AcceptedDay,
    [property: Id(2)] LoggedEvent[] Events,
    [property: Id(3)] Governance.AlertSettings Settings);

/// <summary>An event a unit issued, as its quota rules need it.</summary>
[GenerateSerializer, Immutable, Alias("Oversight.IssuedEvent")]
public sealed record IssuedEvent([property: Id(0)] string EventId, [property: Id(1)] Domain.EventKind Kind, [property: Id(2)] int Day, [property: Id(3)] string[] Targets);

/// <summary>
/// A unit's share of a run of log entries (<see cref="First"/> to <paramref name="Position"/>, the
/// entries of the shard that touch this unit, merged): its own deliveries, tagged with where they
/// came from. <paramref name="Previous"/> is the position of the shard's previous entry still
/// pending for this unit (-1 if none), so a unit that sees it has missed one catches up first;
/// a unit that already holds part of the run catches up instead of applying it.
/// </summary>
[GenerateSerializer, Immutable, Alias("Oversight.UnitDeliveries")]
public sealed record UnitDeliveries(
    [property: Id(0)] int Shard,
    [property: Id(1)] long Position,
    [property: Id(8)] Domain.CellDelta Own,
    [property: Id(3)] long Previous)
{
    /// <summary>Events this unit issued in the entry (for its quotas).</summary>
    [Id(4)] public IssuedEvent[] Issued { get; init; } = [];

    /// <summary>Data items this unit was asked for in the entry (for duplicate requests).</summary>
    [Id(5)] public Governance.DataRequest[] Requests { get; init; } = [];

    /// <summary>The tenant's alert settings when the entry was logged.</summary>
    [Id(6)] public Governance.AlertSettings? Settings { get; init; }

    /// <summary>The first position of the run; equal to <see cref="Position"/> for one entry.</summary>
    [Id(7)] public long First { get; init; }
}
