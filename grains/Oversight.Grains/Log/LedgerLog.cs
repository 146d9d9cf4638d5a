using Orleans.Serialization;

namespace Oversight.Grains.Log;

/// <summary>The ledger's durable log of accepted batches, one sequence per tenant shard.</summary>
public interface ILedgerLog
{
    /// <summary>Appends the shard's next entry; fails when its position is taken.</summary>
    Task AppendAsync(string tenant, int shard, LogEntry entry);

    /// <summary>Every entry still kept, in position order.</summary>
    IAsyncEnumerable<LogEntry> ReadAllAsync(string tenant, int shard);

    /// <summary>Drops the entries at or below a position (past the retention window).</summary>
    Task TrimAsync(string tenant, int shard, long throughPosition);
}

/// <summary>The ledger log over a durable byte log (Redis), in Orleans' binary format.</summary>
public sealed class SerializedLedgerLog(IEventLog log, Serializer<LogEntry> serializer) : ILedgerLog
{
    public async Task AppendAsync(string tenant, int shard, LogEntry entry)
    {
        var buffer = new PooledWriter();
        serializer.Serialize(entry, buffer);
        await log.AppendAsync(tenant, shard, entry.Position, buffer.Written);

        // Only once the write is answered: after a failure (a timeout, say) the client may still
        // hold the bytes, so the buffer is left to the collector rather than reused.
        buffer.Dispose();
    }

    public async IAsyncEnumerable<LogEntry> ReadAllAsync(string tenant, int shard)
    {
        await foreach (var bytes in log.ReadAllAsync(tenant, shard))
        {
            yield return serializer.Deserialize(bytes)!;
        }
    }

    public Task TrimAsync(string tenant, int shard, long throughPosition) => log.TrimAsync(tenant, shard, throughPosition);
}

/// <summary>
/// The ledger log of the embedded default: the entries themselves, in process memory (gone with
/// the process, like all its state). Nothing is serialized: the ledger holds the same objects
/// while they are pending, so the log costs no extra copy.
/// </summary>
public sealed class MemoryLedgerLog : ILedgerLog
{
    private readonly MemorySequences<LogEntry> _logs = new();

    public Task AppendAsync(string tenant, int shard, LogEntry entry)
    {
        _logs.Append(tenant, shard, entry.Position, entry);
        return Task.CompletedTask;
    }

    public IAsyncEnumerable<LogEntry> ReadAllAsync(string tenant, int shard) => _logs.ReadAll(tenant, shard);

    public Task TrimAsync(string tenant, int shard, long throughPosition)
    {
        _logs.Trim(tenant, shard, throughPosition);
        return Task.CompletedTask;
    }
}
