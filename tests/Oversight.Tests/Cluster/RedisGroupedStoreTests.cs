using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Serialization;
using Orleans.Storage;
using Oversight.Grains.Storage;
using Oversight.Tests.Grains;
using StackExchange.Redis;

namespace Oversight.Tests.Cluster;

/// <summary>The grouped grain-state store against a real Redis (groups larger than one call included).</summary>
public sealed class RedisGroupedStoreTests(RedisServer redis) : GrainStoreContract, IClassFixture<RedisServer>, IAsyncLifetime
{
    private readonly string _prefix = "test-" + Guid.NewGuid().ToString("N")[..8];
    private readonly ServiceProvider _services = new ServiceCollection().AddSerializer().BuildServiceProvider();
    private readonly List<RedisGroupedStore> _stores = [];
    private ConnectionMultiplexer? _connection;
    private RedisGroupedStore? _store;

    protected override IGrainStorage Store => _store ??= Open();

    protected override IGrainStorage Reopened() => Open();

    public async Task InitializeAsync() => _connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }

        await _services.DisposeAsync();
        _connection?.Dispose();
    }

    private RedisGroupedStore Open()
    {
        var store = new RedisGroupedStore(_connection!, _prefix, new OrleansGrainStorageSerializer(_services.GetRequiredService<Serializer>()), NullLogger<RedisGroupedStore>.Instance);
        _stores.Add(store);
        return store;
    }

    [Fact]
    public async Task MoreStatesThanOneCallHoldAreAllWritten()
    {
        const int count = RedisGroupedStore.MaxGroup * 2 + 7;
        var states = Enumerable.Range(0, count).Select(i => State($"g{i}", i)).ToArray();
        await Task.WhenAll(states.Select((s, i) => Store.WriteStateAsync("unit", Unit($"acme/g{i}"), s)));

        var reads = Enumerable.Range(0, count).Select(_ => new GrainState<Oversight.Grains.Units.UnitState>()).ToArray();
        var again = Reopened();
        await Task.WhenAll(reads.Select((r, i) => again.ReadStateAsync("unit", Unit($"acme/g{i}"), r)));
        Assert.All(reads.Select((r, i) => (r, i)), x => Assert.Equal($"g{x.i}", x.r.State!.Parent));
    }

    [Fact]
    public async Task AnUnreachableRedisFailsEachRequestAndTheStoreServesTheNext()
    {
        var options = new ConfigurationOptions { AbortOnConnectFail = false, ConnectTimeout = 200, AsyncTimeout = 500, SyncTimeout = 500 };
        options.EndPoints.Add("127.0.0.1", 1);
        using var nowhere = await ConnectionMultiplexer.ConnectAsync(options);
        using var store = new RedisGroupedStore(nowhere, _prefix, new OrleansGrainStorageSerializer(_services.GetRequiredService<Serializer>()), NullLogger<RedisGroupedStore>.Instance);

        // Each request fails on its own (no hang), and the group after a failed one is still served.
        await Assert.ThrowsAsync<RedisGroupedStoreException>(() => store.WriteStateAsync("unit", Unit("acme/x"), State("hq", 1)));
        await Assert.ThrowsAsync<RedisGroupedStoreException>(() => store.ReadStateAsync("unit", Unit("acme/x"), new GrainState<Oversight.Grains.Units.UnitState>()));
    }

    [Fact]
    public async Task AClearedStateLeavesNoKeys()
    {
        var state = State("hq", 5);
        await Store.WriteStateAsync("unit", Unit("acme/k"), state);
        await Store.ClearStateAsync("unit", Unit("acme/k"), state);
        Assert.Equal(0, await _connection!.GetDatabase().KeyExistsAsync([$"{_prefix}:state:unit/unit/acme/k", $"{_prefix}:etag:unit/unit/acme/k"]));
    }
}
