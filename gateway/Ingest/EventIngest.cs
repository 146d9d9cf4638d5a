using Oversight.Domain;
using Oversight.Gateway.Access;
using Oversight.Gateway.Api;
using Oversight.Gateway.Telemetry;
using Oversight.Grains;

namespace Oversight.Gateway.Ingest;

/// <summary>
/// Ingest of one batch: validate every event, drop repeats inside the batch, then hand the rest to
/// the tenant's ledger shards (one call per shard). A shard answers once its new events are in the
/// durable log, so the answer is an acknowledgement; it is sent once they are also counted in
/// their units' own counters, or after <see cref="DeliveryWait"/> if counting takes longer.
/// </summary>
public sealed class EventIngest(IGrainFactory grains, TimeProvider clock, OversightMetrics metrics)
{
    /// <summary>
    /// The longest an answer waits for its events to be counted after they are durable. Counting
    /// normally takes a delivery round (tens of milliseconds); a tenant's first batches on a very
    /// large tree wake tens of thousands of units at once, and the answer should not wait for all
    /// of them (nor time out, inviting a needless retry): the events are durable, so they are
    /// acknowledged and counted as the units come up.
    /// </summary>
    public static readonly TimeSpan DeliveryWait = TimeSpan.FromSeconds(10);

    /// <summary>
    /// With <c>Prefer: respond-async</c> (a backfill), how many of a shard's events may still be
    /// on their way to their units when the answer goes: the answer waits only while the backlog
    /// is larger. Rounds then carry many batches, so each unit gets one call for several of them
    /// (a round is otherwise bounded by the batches the clients have in flight).
    /// </summary>
    public const int BackfillBacklog = 50_000;

    /// <summary>
    /// Validates and logs a batch. The answer goes once the accepted events are durable and
    /// counted in their units (or <see cref="DeliveryWait"/> has passed); with
    /// <paramref name="backfill"/>, once they are durable and at most <see cref="BackfillBacklog"/>
    /// events of the shard are still to be counted.
    /// </summary>
    public async Task<IngestResponse> IngestAsync(TenantScope scope, List<ParsedEvent> batch, bool backfill = false)
    {
        var now = clock.GetUtcNow();
        var tree = scope.Tree;
        var rejected = new List<EventRejectionDto>();
        var candidates = new List<LoggedEvent>(batch.Count);
        var inBatch = new HashSet<string>(StringComparer.Ordinal);
        var duplicates = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            var (input, rawId, error) = batch[i];
            if (input is null)
            {
                rejected.Add(new EventRejectionDto(i, rawId, "invalidEvent", error ?? "malformed event"));
                continue;
            }

            var e = EventRules.Validate(input, tree.View, tree.Zone, now, scope.ScopeUnit, out var rejection);
            if (e is null)
            {
                rejected.Add(new EventRejectionDto(i, input.Id, rejection!.Error, rejection.Detail));
            }
            else if (!inBatch.Add(e.Id))
            {
                duplicates++;
            }
            else
            {
                candidates.Add(ToLogged(e, tree.View));
            }
        }

        var accepted = await LogAsync(scope.Tenant, candidates, tree.Info.Alerts, backfill ? BackfillBacklog : 0);
        duplicates += candidates.Count - accepted;
        if (accepted > 0 && !tree.HasEvents)
        {
            await grains.Reference<ITenantGrain>(scope.Tenant).MarkHasEvents();
        }

        metrics.Ingested(accepted, duplicates, rejected.Count);
        return new IngestResponse(accepted, duplicates, rejected);
    }

    private async Task<int> LogAsync(string tenant, List<LoggedEvent> candidates, Governance.AlertSettings settings, int behind)
    {
        var answers = await Task.WhenAll(candidates.GroupBy(e => LedgerShards.Of(e.Id)).Select(g => LogShardAsync(tenant, g.Key, [.. g], settings, behind)));
        return answers.Sum();
    }

    /// <summary>
    /// Logs a shard's part of the batch, then waits until it is counted in its units' own counters,
    /// all but <paramref name="behind"/> of the shard's events (the ledger hands deliveries out in
    /// rounds beside ingest, so waiting does not hold it up).
    /// </summary>
    private async Task<int> LogShardAsync(string tenant, int shard, LoggedEvent[] events, Governance.AlertSettings settings, int behind)
    {
        var ledger = grains.Reference<IEventLedgerGrain>(GrainKeys.LedgerShard(tenant, shard));
        var answer = await ledger.IngestAndWait(events, settings, DeliveryWait, behind);
        var accepted = answer.Fresh.Count(f => f);
        if (!answer.Delivered)
        {
            metrics.AnsweredBeforeCounted(accepted);
        }

        return accepted;
    }

    private static string[] UnitIds(int[] units, TreeView tree)
    {
        var ids = new string[units.Length];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = tree.Units[units[i]].Id;
        }

        return ids;
    }

    private static LoggedEvent ToLogged(ValidatedEvent e, TreeView tree) => new()
    {
        Id = e.Id,
        Kind = e.Kind,
        Source = tree.Units[e.Source].Id,
        Targets = UnitIds(e.Targets, tree),
        Day = e.Day,
        OccurredAt = e.OccurredAt,
        MeetingMinutes = e.MeetingMinutes,
        InspectionDays = e.InspectionDays,
        Formal = e.Formal,
        Mode = e.Mode,
        Planned = e.Planned,
        DeadlineHours = e.DeadlineHours,
        DataItems = e.DataItems,
        Channel = e.Channel,
        Category = e.Category,
        CausedBy = e.CausedBy,
    };
}
