using Orleans.Serialization;

namespace Oversight.Grains.Log;

/// <summary>
/// The ledger's log of accepted batches: one sequence per tenant shard over the byte log (Redis in
/// cluster mode, process memory in the embedded default), each entry in a compact binary form.
/// <para>
/// Entries stay in that form wherever they are kept for long: in the log, and in the ledger while
/// units have not yet checkpointed them (ten seconds and more). A batch is then one array to the
/// collector instead of thousands of small objects that every young collection would copy twice
/// before they die; the objects are read back only for a catch-up, a redelivery or a replay.
/// </para>
/// </summary>
public sealed class LedgerLog(IEventLog log, Serializer<LogEntry> serializer)
{
    /// <summary>The entry's binary form (<see cref="LogEntryCodec"/>), the array the log and the ledger keep.</summary>
    public static byte[] Encode(LogEntry entry) => LogEntryCodec.Encode(entry);

    /// <summary>An entry read back from its binary form; entries logged before the codec existed are in Orleans' format.</summary>
    public LogEntry Decode(byte[] entry) => LogEntryCodec.Recognizes(entry) ? LogEntryCodec.Decode(entry) : serializer.Deserialize(entry)!;

    /// <summary>Appends the shard's next entry; fails when its position is taken.</summary>
    public Task AppendAsync(string tenant, int shard, long position, byte[] entry) => log.AppendAsync(tenant, shard, position, entry);

    /// <summary>Every entry still kept, in position order, in binary form.</summary>
    public IAsyncEnumerable<byte[]> ReadAllAsync(string tenant, int shard) => log.ReadAllAsync(tenant, shard);

    /// <summary>Drops the entries at or below a position (past the retention window).</summary>
    public Task TrimAsync(string tenant, int shard, long throughPosition) => log.TrimAsync(tenant, shard, throughPosition);
}
