using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Serialization;
using Orleans.Storage;
using Oversight.Grains.Storage;
using Oversight.Grains.Units;
using StackExchange.Redis;

namespace Oversight.Tests.Cluster;

/// <summary>The grouped grain-state store against a real Redis: round trips, etag checks, groups.</summary>
public sealed class RedisGroupedStoreTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private readonly string _prefix = "test-" + Guid.NewGuid().ToString("N")[..8];
    private readonly ServiceProvider _services = new ServiceCollection().AddSerializer().BuildServiceProvider();
    private ConnectionMultiplexer? _connection;

    public async Task InitializeAsync() => _connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        _connection?.Dispose();
    }

    private RedisGroupedStore Store() =>
        new(_connection!, _prefix, new OrleansGrainStorageSerializer(_services.GetRequiredService<Serializer>()), NullLogger<RedisGroupedStore>.Instance);

    private static GrainId Unit(string key) => GrainId.Create("unit", key);

    private static GrainState<UnitState> State(string? parent, long version) =>
        new(new UnitState { Parent = parent, Version = version, Applied = new() { [0] = version } });

    [Fact]
    public async Task AWrittenStateIsReadBackByAnotherStoreWithItsEtag()
    {
        using (var store = Store())
        {
            var written = State("hq", 42);
            await store.WriteStateAsync("unit", Unit("acme/a1"), written);
            Assert.True(written.RecordExists);
            Assert.NotNull(written.ETag);
        }

        using var again = Store();
        var read = new GrainState<UnitState>();
        await again.ReadStateAsync("unit", Unit("acme/a1"), read);
        Assert.True(read.RecordExists);
        Assert.Equal("hq", read.State!.Parent);
        Assert.Equal(42, read.State!.Version);
        Assert.Equal(42, read.State!.Applied[0]);

        var missing = new GrainState<UnitState>();
        await again.ReadStateAsync("unit", Unit("acme/none"), missing);
        Assert.False(missing.RecordExists);
        Assert.Null(missing.ETag);
        Assert.Null(missing.State!.Parent);
    }

    [Fact]
    public async Task AWriteWithAStaleEtagFailsAndChangesNothing()
    {
        using var store = Store();
        var first = new GrainState<UnitState>();
        var second = new GrainState<UnitState>();
        await store.ReadStateAsync("unit", Unit("acme/b"), first);
        await store.ReadStateAsync("unit", Unit("acme/b"), second);

        first.State = new UnitState { Parent = "hq", Version = 1 };
        await store.WriteStateAsync("unit", Unit("acme/b"), first);
        second.State = new UnitState { Parent = "elsewhere", Version = 2 };
        await Assert.ThrowsAsync<InconsistentStateException>(() => store.WriteStateAsync("unit", Unit("acme/b"), second));

        var read = new GrainState<UnitState>();
        await store.ReadStateAsync("unit", Unit("acme/b"), read);
        Assert.Equal("hq", read.State!.Parent);
        Assert.Equal(1, read.State!.Version);
        Assert.Equal(first.ETag, read.ETag);

        // The activation that wrote last goes on writing.
        first.State!.Version = 3;
        await store.WriteStateAsync("unit", Unit("acme/b"), first);
        await store.ReadStateAsync("unit", Unit("acme/b"), read);
        Assert.Equal(3, read.State!.Version);
    }

    [Fact]
    public async Task TwoActivationsWritingInOneGroupWriteOnce()
    {
        using var store = Store();
        var a = new GrainState<UnitState>(new UnitState { Parent = "a", Version = 1 });
        var b = new GrainState<UnitState>(new UnitState { Parent = "b", Version = 2 });

        // Both believe the state is new; started together, they share a group: the first wins.
        var writeA = store.WriteStateAsync("unit", Unit("acme/c"), a);
        var writeB = store.WriteStateAsync("unit", Unit("acme/c"), b);
        await writeA;
        await Assert.ThrowsAsync<InconsistentStateException>(() => writeB);

        var read = new GrainState<UnitState>();
        await store.ReadStateAsync("unit", Unit("acme/c"), read);
        Assert.Equal("a", read.State!.Parent);
        Assert.Equal(a.ETag, read.ETag);
    }

    [Fact]
    public async Task MoreStatesThanOneGroupHoldAreAllWrittenAndRead()
    {
        const int count = RedisGroupedStore.MaxGroup * 2 + 7;
        using var store = Store();
        var states = Enumerable.Range(0, count).Select(i => State($"p{i}", i)).ToArray();
        await Task.WhenAll(states.Select((s, i) => store.WriteStateAsync("unit", Unit($"acme/u{i}"), s)));

        var reads = Enumerable.Range(0, count).Select(_ => new GrainState<UnitState>()).ToArray();
        await Task.WhenAll(reads.Select((r, i) => store.ReadStateAsync("unit", Unit($"acme/u{i}"), r)));
        for (var i = 0; i < count; i++)
        {
            Assert.True(reads[i].RecordExists);
            Assert.Equal($"p{i}", reads[i].State!.Parent);
            Assert.Equal(i, reads[i].State!.Version);
            Assert.Equal(states[i].ETag, reads[i].ETag);
        }
    }

    [Fact]
    public async Task ClearingDeletesTheStateOnlyWithTheCurrentEtag()
    {
        using var store = Store();
        var state = State("hq", 5);
        await store.WriteStateAsync("unit", Unit("acme/d"), state);
        var stale = new GrainState<UnitState> { ETag = "stale" };
        await Assert.ThrowsAsync<InconsistentStateException>(() => store.ClearStateAsync("unit", Unit("acme/d"), stale));

        await store.ClearStateAsync("unit", Unit("acme/d"), state);
        Assert.False(state.RecordExists);
        var read = new GrainState<UnitState>();
        await store.ReadStateAsync("unit", Unit("acme/d"), read);
        Assert.False(read.RecordExists);
        Assert.Equal(0, (await _connection!.GetDatabase().KeyExistsAsync([$"{_prefix}:state:unit/unit/acme/d", $"{_prefix}:etag:unit/unit/acme/d"])));
    }
}
