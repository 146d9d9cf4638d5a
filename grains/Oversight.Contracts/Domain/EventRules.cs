namespace Oversight.Domain;

/// <summary>
/// Validation of one event against <c>API.md</c>'s field table, the tree, the time window and
/// the caller's scope; and how an accepted event counts into units' day buckets.
/// </summary>
public static class EventRules
{
    /// <summary>Most events in one batch.</summary>
    public const int MaxBatch = 10_000;

    /// <summary>Most targets of one event.</summary>
    public const int MaxTargets = 10_000;

    private static readonly string[] Modes = ["inPerson", "video"];
    private static readonly string[] Channels = ["workGroup", "appCheckIn", "screenshot", "contest", "other"];
    private static readonly string[] Categories = ["revokedDelegation", "approvalDemand", "bypassedBoard", "staffBorrowing", "ledgerDemand", "other"];

    /// <summary>
    /// Validates an event. <paramref name="scope"/> is a member's scope unit index (null: may
    /// write anywhere). Returns the event or sets <paramref name="rejection"/>.
    /// </summary>
    public static ValidatedEvent? Validate(EventInput e, TreeView tree, TimeZoneInfo zone, DateTimeOffset now, int? scope, out EventRejection? rejection)
    {
        rejection = CheckFields(e, out var kind, out var occurredAt);
        if (rejection is not null)
        {
            return null;
        }

        if (occurredAt > now.AddDays(1) || occurredAt < now.AddYears(-3))
        {
            rejection = new("outOfRange", "occurredAt must be at most 1 day ahead of the server clock and at most 3 years back");
            return null;
        }

        var sourceKnown = tree.TryGetIndex(e.Source, out var source);
        // Most events name a handful of targets: a linear check for repeats beats a set there and
        // allocates nothing more; a long list (up to MaxTargets) gets a set.
        var targets = new int[e.Targets!.Length];
        var seen = targets.Length > 64 ? new HashSet<int>(targets.Length) : null;
        var distinct = 0;
        string? unknown = sourceKnown ? null : e.Source;
        foreach (var t in e.Targets!)
        {
            if (tree.TryGetIndex(t, out var ti))
            {
                if (seen?.Add(ti) ?? Array.IndexOf(targets, ti, 0, distinct) < 0)
                {
                    targets[distinct++] = ti;
                }
            }
            else
            {
                unknown ??= t;
            }
        }

        if (scope is int s)
        {
            var sourceInScope = sourceKnown && tree.IsWithin(source, s);
            var targetsInScope = AllWithin(tree, e.Targets!, s);
            if (!sourceInScope && !targetsInScope)
            {
                rejection = new("forbidden", "neither the source nor all the targets lie in the caller's subtree");
                return null;
            }
        }

        if (unknown is not null)
        {
            rejection = new("unknownUnit", $"unit '{unknown}' is not in the tenant's tree");
            return null;
        }

        return new ValidatedEvent(
            e.Id!, kind, source, distinct == targets.Length ? targets : targets[..distinct], occurredAt, Period.LocalDay(occurredAt, zone),
            kind == EventKind.Meeting ? (int)e.DurationMinutes!.Value : 0,
            kind == EventKind.Inspection ? (int)(e.Days ?? 1) : 0,
            e.Formal ?? true, e.Mode ?? "inPerson", e.Planned ?? true,
            e.DeadlineHours, [.. e.DataItems?.Select(d => d!) ?? []],
            e.Channel ?? "other", e.Category ?? "other", e.CausedBy);
    }

    /// <summary>
    /// Counts an accepted event into its units' buckets: for each distinct target, one received
    /// of its kind plus meeting minutes or inspection days; for the source, one issued.
    /// </summary>
    public static void Count<TUnit>(EventKind kind, int day, int meetingMinutes, int inspectionDays, TUnit source, IEnumerable<TUnit> targets, Func<TUnit, DayDeltaBuilder> bucketsOf)
    {
        foreach (var t in targets)
        {
            CountReceived(bucketsOf(t), kind, day, meetingMinutes, inspectionDays);
        }

        CountIssued(bucketsOf(source), kind, day);
    }

    /// <summary>What a target receives: one of the kind, plus meeting minutes or inspection days.</summary>
    public static void CountReceived(DayDeltaBuilder buckets, EventKind kind, int day, int meetingMinutes, int inspectionDays) =>
        Received(new DaySink(buckets), kind, day, meetingMinutes, inspectionDays);

    /// <inheritdoc cref="CountReceived(DayDeltaBuilder, EventKind, int, int, int)"/>
    public static void CountReceived(CellDeltaBuilder buckets, EventKind kind, int day, int meetingMinutes, int inspectionDays) =>
        Received(new CellSink(buckets), kind, day, meetingMinutes, inspectionDays);

    /// <summary>What the source counts: one issued of the kind.</summary>
    public static void CountIssued(DayDeltaBuilder buckets, EventKind kind, int day) => Issued(new DaySink(buckets), kind, day);

    /// <inheritdoc cref="CountIssued(DayDeltaBuilder, EventKind, int)"/>
    public static void CountIssued(CellDeltaBuilder buckets, EventKind kind, int day) => Issued(new CellSink(buckets), kind, day);

    // The rule once, specialised per builder: the sinks are structs, so each builder gets its own
    // compiled copy with direct calls (a shared generic over classes made an interface call on
    // every count).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void Received<TSink>(TSink buckets, EventKind kind, int day, int meetingMinutes, int inspectionDays)
        where TSink : struct, ICounterSink
    {
        buckets.Add(day, LoadCounters.Received(kind), 1);
        if (meetingMinutes > 0)
        {
            buckets.Add(day, LoadCounters.MeetingMinutes, meetingMinutes);
        }

        if (inspectionDays > 0)
        {
            buckets.Add(day, LoadCounters.InspectionDays, inspectionDays);
        }
    }

    private static void Issued<TSink>(TSink buckets, EventKind kind, int day)
        where TSink : struct, ICounterSink => buckets.Add(day, LoadCounters.Issued(kind), 1);

    /// <summary>Something that counts: an amount added to one slot of one day's load vector.</summary>
    private interface ICounterSink
    {
        void Add(int day, int slot, long amount);
    }

    private readonly struct DaySink(DayDeltaBuilder builder) : ICounterSink
    {
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public void Add(int day, int slot, long amount) => builder.Add(day, slot, amount);
    }

    private readonly struct CellSink(CellDeltaBuilder builder) : ICounterSink
    {
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public void Add(int day, int slot, long amount) => builder.Add(day, slot, amount);
    }

    private static bool AllWithin(TreeView tree, string?[] targets, int scope)
    {
        foreach (var t in targets)
        {
            if (!tree.TryGetIndex(t, out var ti) || !tree.IsWithin(ti, scope))
            {
                return false;
            }
        }

        return true;
    }

    private static EventRejection? CheckFields(EventInput e, out EventKind kind, out DateTimeOffset occurredAt)
    {
        occurredAt = default;
        if (!EventKinds.TryParse(e.Kind, out kind))
        {
            return EventRejection.Invalid("kind must be one of document, meeting, inspection, dataRequest, digitalDemand, overreach");
        }

        if (!Ids.IsUnitOrEventId(e.Id))
        {
            return EventRejection.Invalid("id is required and must match ^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$");
        }

        if (!Ids.IsUnitOrEventId(e.Source))
        {
            return EventRejection.Invalid("source is required and must be a valid unit id");
        }

        if (e.Targets is null || e.Targets.Length is 0 or > MaxTargets)
        {
            return EventRejection.Invalid($"targets must list 1..{MaxTargets} units");
        }

        if (!Array.TrueForAll(e.Targets, Ids.IsUnitOrEventId))
        {
            return EventRejection.Invalid("every target must be a valid unit id");
        }

        if (!Rfc3339.TryParse(e.OccurredAt, out occurredAt))
        {
            return EventRejection.Invalid("occurredAt must be an RFC 3339 timestamp with an offset, e.g. 2026-11-24T10:00:00+08:00");
        }

        if (e.CausedBy is not null && !Ids.IsUnitOrEventId(e.CausedBy))
        {
            return EventRejection.Invalid("causedBy must be a valid event id");
        }

        return kind switch
        {
            EventKind.Meeting when e.DurationMinutes is not (>= 1 and <= 1440) => EventRejection.Invalid("a meeting needs durationMinutes between 1 and 1440"),
            EventKind.Meeting when e.Mode is not null && !Modes.Contains(e.Mode) => EventRejection.Invalid("mode must be inPerson or video"),
            EventKind.Inspection when e.Days is not null and not (>= 1 and <= 365) => EventRejection.Invalid("days must be between 1 and 365"),
            EventKind.DataRequest when e.DeadlineHours is not null && !(e.DeadlineHours > 0 && double.IsFinite(e.DeadlineHours.Value)) => EventRejection.Invalid("deadlineHours must be greater than 0"),
            EventKind.DataRequest when e.DataItems is not null && (e.DataItems.Length > 100 || !e.DataItems.All(d => Text.IsCleanLine(d, 128))) => EventRejection.Invalid("dataItems must be at most 100 names of 1..128 characters"),
            EventKind.DigitalDemand when e.Channel is not null && !Channels.Contains(e.Channel) => EventRejection.Invalid("channel must be one of workGroup, appCheckIn, screenshot, contest, other"),
            EventKind.Overreach when e.Category is not null && !Categories.Contains(e.Category) => EventRejection.Invalid("category must be one of revokedDelegation, approvalDemand, bypassedBoard, staffBorrowing, ledgerDemand, other"),
            _ => null,
        };
    }
}
