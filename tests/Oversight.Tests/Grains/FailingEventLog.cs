using System.Collections.Concurrent;
using Oversight.Grains.Log;

namespace Oversight.Tests.Grains;

/// <summary>
/// The test cluster's log: the in-memory one, except that a test can make a tenant's next append
/// fail, as a Redis that drops the connection mid-write would.
/// </summary>
public sealed class FailingEventLog(IEventLog inner) : IEventLog
{
    private static readonly ConcurrentDictionary<string, bool> FailNext = new(StringComparer.Ordinal);

    /// <summary>The next append for <paramref name="tenant"/> (a test's own) fails, without writing.</summary>
    public static void FailNextAppend(string tenant) => FailNext[tenant] = true;

    public Task AppendAsync(string tenant, int shard, long position, byte[] entry) =>
        FailNext.TryRemove(tenant, out _)
            ? Task.FromException(new IOException("The log's connection was lost mid-write."))
            : inner.AppendAsync(tenant, shard, position, entry);

    public IAsyncEnumerable<byte[]> ReadAllAsync(string tenant, int shard) => inner.ReadAllAsync(tenant, shard);

    public Task TrimAsync(string tenant, int shard, long throughPosition) => inner.TrimAsync(tenant, shard, throughPosition);
}
