namespace Oversight.Grains.Log;

/// <summary>
/// The durable, append-only ingest log: one sequence per tenant shard, written only by that
/// shard's ledger grain, one append per entry (the batches accepted while the last append was on
/// its way).
/// </summary>
public interface IEventLog
{
    /// <summary>
    /// Appends the entry at <paramref name="position"/> (the shard's next position). Fails when the
    /// position is taken, which tells a writer that its view of the log is stale. The log may keep
    /// the array itself: the caller must not change it afterwards.
    /// </summary>
    Task AppendAsync(string tenant, int shard, long position, byte[] entry);

    /// <summary>Every entry still kept, in position order.</summary>
    IAsyncEnumerable<byte[]> ReadAllAsync(string tenant, int shard);

    /// <summary>Drops the entries at or below a position (past the retention window).</summary>
    Task TrimAsync(string tenant, int shard, long throughPosition);
}
