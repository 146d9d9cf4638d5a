namespace Oversight.Grains.Ledger;

/// <summary>
/// A silo's unit confirmations, gathered into one call per ledger shard. Every changed unit
/// confirms what it checkpointed every 10 s; on a tree of 100,000 units that was 10,000 calls a
/// second to one ledger grain, as many as the deliveries themselves. A confirmation waits at most
/// <see cref="Gather"/> for others to the same shard; its task completes when the shard has taken
/// the call that carries it, or fails with that call (the unit confirms again at its next tick;
/// until then the ledger only keeps the entries a little longer).
/// </summary>
public sealed class LedgerConfirmations(IGrainFactory grains, TimeSpan gather)
{
    /// <summary>How long the first confirmation of a call waits for others to join it, by default.</summary>
    public static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(5);

    [Microsoft.Extensions.DependencyInjection.ActivatorUtilitiesConstructor]
    public LedgerConfirmations(IGrainFactory grains)
        : this(grains, Gather)
    {
    }

    private readonly Lock _gate = new();
    private readonly Dictionary<(string Tenant, int Shard), Batch> _open = [];

    /// <summary>Confirms that <paramref name="unit"/> made every delivery of the shard up to <paramref name="position"/> durable.</summary>
    public Task Confirm(string tenant, int shard, string unit, long position)
    {
        var ledger = (tenant, shard);
        Batch batch;
        bool first;
        lock (_gate)
        {
            first = !_open.TryGetValue(ledger, out batch!);
            if (first)
            {
                _open[ledger] = batch = new Batch();
            }

            ref var held = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(batch.Positions, unit, out _);
            held = Math.Max(held, position);
        }

        if (first)
        {
            _ = SendAsync(ledger, batch);
        }

        return batch.Sent.Task;
    }

    private async Task SendAsync((string Tenant, int Shard) ledger, Batch batch)
    {
        await Task.Delay(gather).ConfigureAwait(false);
        lock (_gate)
        {
            _open.Remove(ledger);
        }

        try
        {
            await grains.Reference<IEventLedgerGrain>(GrainKeys.LedgerShard(ledger.Tenant, ledger.Shard)).Confirm([.. batch.Positions.Keys], [.. batch.Positions.Values]).ConfigureAwait(false);
            batch.Sent.SetResult();
        }
        catch (Exception ex)
        {
            batch.Sent.SetException(ex);
        }
    }

    private sealed class Batch
    {
        public Dictionary<string, long> Positions { get; } = new(StringComparer.Ordinal);

        /// <summary>Completed off the callers' schedulers: a unit's continuation goes back to its own.</summary>
        public TaskCompletionSource Sent { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
