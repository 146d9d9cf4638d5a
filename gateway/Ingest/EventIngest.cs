using Oversight.Domain;
using Oversight.Gateway.Access;
using Oversight.Gateway.Api;
using Oversight.Gateway.Telemetry;
using Oversight.Grains;

namespace Oversight.Gateway.Ingest;

/// <summary>
/// Ingest of one batch: validate every event, drop repeats (in the batch and against the
/// tenant's id ledger), then group the deliveries by unit and make one call per unit.
/// </summary>
public sealed class EventIngest(IGrainFactory grains, TimeProvider clock, OversightMetrics metrics)
{
    public async Task<IngestResponse> IngestAsync(TenantScope scope, List<ParsedEvent> batch)
    {
        var now = clock.GetUtcNow();
        var tree = scope.Tree;
        var rejected = new List<EventRejectionDto>();
        var candidates = new List<ValidatedEvent>(batch.Count);
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
                candidates.Add(e);
            }
        }

        var accepted = await ClaimAsync(scope.Tenant, candidates);
        duplicates += candidates.Count - accepted.Count;
        if (accepted.Count > 0)
        {
            await CountAsync(scope, accepted);
            if (!tree.HasEvents)
            {
                await grains.GetGrain<ITenantGrain>(scope.Tenant).MarkHasEvents();
            }
        }

        metrics.Ingested(accepted.Count, duplicates, rejected.Count);
        return new IngestResponse(accepted.Count, duplicates, rejected);
    }

    private async Task<List<ValidatedEvent>> ClaimAsync(string tenant, List<ValidatedEvent> candidates)
    {
        var shards = candidates.GroupBy(e => LedgerShards.Of(e.Id)).ToList();
        var answers = await Task.WhenAll(shards.Select(g =>
            grains.GetGrain<IEventLedgerGrain>(GrainKeys.LedgerShard(tenant, g.Key)).Claim([.. g.Select(e => e.Id)])));
        var accepted = new List<ValidatedEvent>(candidates.Count);
        for (var s = 0; s < shards.Count; s++)
        {
            var i = 0;
            foreach (var e in shards[s])
            {
                if (answers[s][i++])
                {
                    accepted.Add(e);
                }
            }
        }

        return accepted;
    }

    private async Task CountAsync(TenantScope scope, List<ValidatedEvent> accepted)
    {
        var byUnit = new Dictionary<int, DayDeltaBuilder>();
        foreach (var e in accepted)
        {
            EventRules.Count(e, unit =>
            {
                if (!byUnit.TryGetValue(unit, out var builder))
                {
                    byUnit[unit] = builder = new DayDeltaBuilder();
                }

                return builder;
            });
        }

        var units = scope.Tree.View.Units;
        await Task.WhenAll(byUnit.Select(p =>
            grains.GetGrain<IUnitGrain>(GrainKeys.Unit(scope.Tenant, units[p.Key].Id)).Apply(p.Value.Build())));
    }
}
