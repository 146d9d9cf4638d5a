namespace Oversight.Grains;

/// <summary>Which ledger shard remembers an event id: FNV-1a of the id, stable across processes.</summary>
public static class LedgerShards
{
    /// <summary>The shard of an id, 0..<see cref="IEventLedgerGrain.Shards"/>-1.</summary>
    public static int Of(string id)
    {
        var hash = 2166136261u;
        foreach (var c in id)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % IEventLedgerGrain.Shards);
    }
}
