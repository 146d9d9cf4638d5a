using Oversight.Domain;
using Oversight.Governance;
using Oversight.Grains.Log;

namespace Oversight.Grains.Governance;

/// <summary>
/// A tenant's cascade index, rebuilt from the ingest log when it activates and kept current by
/// the ledger shards. Raises <c>cascadeAmplification</c> once per root directive when, at some
/// depth below it, more than the limit of events carry it out.
/// </summary>
[Orleans.Placement.Immovable]
public sealed class CascadeGrain(LedgerLog log, IGrainFactory grains, TimeProvider clock) : Grain, ICascadeGrain
{
    private readonly CascadeIndex _index = new();
    private readonly HashSet<string> _amplified = new(StringComparer.Ordinal);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        for (var shard = 0; shard < IEventLedgerGrain.Shards; shard++)
        {
            await foreach (var bytes in log.ReadAllAsync(this.GetPrimaryKeyString(), shard).WithCancellation(cancellationToken))
            {
                foreach (var e in log.Decode(bytes).Events)
                {
                    _index.Add(e.Id, e.CausedBy, e.Source, e.Targets, e.Day);
                }
            }
        }
    }

    public async Task Record(LoggedEvent[] events, AlertSettings settings)
    {
        var alerts = new List<Alert>();
        var roots = _index.AddAll(events);
        foreach (var root in roots)
        {
            if (!_index.IsRoot(root) || _amplified.Contains(root))
            {
                continue;
            }

            var over = _index.FirstLayerOver(root, settings.CascadeLimit);
            if (over is null)
            {
                continue;
            }

            var (source, targets, day) = _index.Describe(root);
            alerts.Add(new Alert(
                $"{AlertTypes.CascadeAmplification}:{root}", AlertTypes.CascadeAmplification, source, targets, root,
                PeriodRange.Format(PeriodGranularity.Day, day), clock.GetUtcNow(),
                $"指令 {root} 在第 {over.Depth} 层被层层加码为 {over.Events} 件（上限 {settings.CascadeLimit} 件）/ directive {root} is carried out by {over.Events} events at cascade depth {over.Depth} (limit {settings.CascadeLimit})"));
        }

        if (alerts.Count > 0)
        {
            await grains.Reference<IAlertsGrain>(this.GetPrimaryKeyString()).Raise([.. alerts]);
            _amplified.UnionWith(alerts.Select(a => a.EventId!));
        }
    }

    public Task<CascadeView?> Get(string eventId)
    {
        if (!_index.Contains(eventId))
        {
            return Task.FromResult<CascadeView?>(null);
        }

        var root = _index.TopOf(eventId);
        var layers = _index.Layers(root);
        var (source, targets, _) = _index.Describe(eventId);
        return Task.FromResult<CascadeView?>(new CascadeView(root, [.. layers], layers.Sum(l => l.Events), source, targets));
    }
}
