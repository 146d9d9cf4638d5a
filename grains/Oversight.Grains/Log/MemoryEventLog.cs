namespace Oversight.Grains.Log;

/// <summary>The log of the embedded default: in process memory, gone with the process, like all its state.</summary>
public sealed class MemoryEventLog : IEventLog
{
    private readonly MemorySequences<byte[]> _logs = new();

    public Task AppendAsync(string tenant, int shard, long position, byte[] entry)
    {
        _logs.Append(tenant, shard, position, entry);
        return Task.CompletedTask;
    }

    public IAsyncEnumerable<byte[]> ReadAllAsync(string tenant, int shard) => _logs.ReadAll(tenant, shard);

    public Task TrimAsync(string tenant, int shard, long throughPosition)
    {
        _logs.Trim(tenant, shard, throughPosition);
        return Task.CompletedTask;
    }
}
