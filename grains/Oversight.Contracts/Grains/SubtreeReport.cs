namespace Oversight.Grains;

/// <summary>
/// What a unit tells its parent: the current subtree totals of the days that changed (set, not
/// add, so a repeat or a replay changes nothing), or that it has left. With <see cref="Masks"/>,
/// only the slots that changed travel: bit k of a day's mask says slot k is present, and the
/// day's values hold just those slots, in slot order; without, every slot of every day.
/// </summary>
[GenerateSerializer, Immutable, Alias("Oversight.SubtreeReport")]
public sealed record SubtreeReport(
    [property: Id(0)] string Child,
    [property: Id(1)] long Version,
    [property: Id(2)] Domain.DayDelta Totals,
    [property: Id(3)] bool Detach,
    [property: Id(4)] ushort[]? Masks = null);

/// <summary>The parent's answer: whether it took the report, and the newest version it holds from the child.</summary>
[GenerateSerializer, Immutable, Alias("Oversight.ReportAck")]
public sealed record ReportAck([property: Id(0)] bool Accepted, [property: Id(1)] long HeldVersion);

/// <summary>A unit's whole subtree totals at a version (what a parent pulls when it activates).</summary>
[GenerateSerializer, Immutable, Alias("Oversight.SubtreeTotals")]
public sealed record SubtreeTotals([property: Id(0)] long Version, [property: Id(1)] Domain.DayDelta Totals);

/// <summary>
/// What a parent holds of a child's reports: the newest version (0 when none, as after the child
/// departed), and whether the parent has passed on everything it holds (nothing left to report
/// to its own parent, none in flight; a unit without a parent has nothing to pass on).
/// </summary>
[GenerateSerializer, Immutable, Alias("Oversight.HeldReport")]
public sealed record HeldReport([property: Id(0)] long Version, [property: Id(1)] bool PassedOn);

/// <summary>
/// A unit's part of a delivery round: its own share (none when the round only passes through it
/// to its children) and its children's parts.
/// </summary>
[GenerateSerializer, Immutable, Alias("Oversight.RoundNode")]
public sealed record RoundNode(
    [property: Id(0)] string Unit,
    [property: Id(1)] UnitDeliveries? Own,
    [property: Id(2)] RoundNode[] Children);
