using System.Runtime.CompilerServices;
using StackExchange.Redis;

namespace Oversight.Grains.Log;

/// <summary>
/// The log in Redis: one stream per tenant shard, entry ids <c>0-position</c> so Redis itself
/// refuses a second write at a position. One XADD per batch; durability is Redis's (AOF with
/// <c>appendfsync always</c> for no loss on a Redis crash, <c>everysec</c> for at most a second).
/// </summary>
public sealed class RedisEventLog(IConnectionMultiplexer redis, string keyPrefix) : IEventLog
{
    private const int Page = 256;
    private static readonly RedisValue Field = "e";

    public async Task AppendAsync(string tenant, int shard, long position, byte[] entry)
    {
        await redis.GetDatabase().StreamAddAsync(Key(tenant, shard), Field, entry, messageId: $"0-{position}");
    }

    public IAsyncEnumerable<byte[]> ReadAllAsync(string tenant, int shard) => ReadAsync(Key(tenant, shard));

    public Task TrimAsync(string tenant, int shard, long throughPosition) =>
        redis.GetDatabase().ExecuteAsync("XTRIM", Key(tenant, shard), "MINID", $"0-{throughPosition + 1}");

    private async IAsyncEnumerable<byte[]> ReadAsync(RedisKey key, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var db = redis.GetDatabase();
        RedisValue from = "-";
        while (true)
        {
            var page = await db.StreamRangeAsync(key, from, "+", Page);
            foreach (var entry in page)
            {
                yield return (byte[])entry[Field]!;
            }

            if (page.Length < Page)
            {
                yield break;
            }

            from = "(" + page[^1].Id;
        }
    }

    private RedisKey Key(string tenant, int shard) => $"{keyPrefix}:log:{tenant}:{shard}";
}
