using System.Collections.Concurrent;

namespace Oversight.Grains.Log;

/// <summary>The log of the embedded default: in process memory, gone with the process, like all its state.</summary>
public sealed class MemoryEventLog : IEventLog
{
    private readonly ConcurrentDictionary<(string, int), SortedList<long, byte[]>> _logs = new();

    public Task AppendAsync(string tenant, int shard, long position, ReadOnlyMemory<byte> entry)
    {
        var log = _logs.GetOrAdd((tenant, shard), _ => []);
        lock (log)
        {
            if (log.Count > 0 && log.Keys[^1] >= position)
            {
                throw new InvalidOperationException($"Log position {position} of {tenant}/{shard} is taken.");
            }

            log.Add(position, entry.ToArray());
        }

        return Task.CompletedTask;
    }

    public IAsyncEnumerable<byte[]> ReadAllAsync(string tenant, int shard)
    {
        if (!_logs.TryGetValue((tenant, shard), out var log))
        {
            return AsyncEnumerable.Empty<byte[]>();
        }

        lock (log)
        {
            return log.Values.ToArray().ToAsyncEnumerable();
        }
    }

    public Task TrimAsync(string tenant, int shard, long throughPosition)
    {
        if (_logs.TryGetValue((tenant, shard), out var log))
        {
            lock (log)
            {
                while (log.Count > 0 && log.Keys[0] <= throughPosition)
                {
                    log.RemoveAt(0);
                }
            }
        }

        return Task.CompletedTask;
    }
}
