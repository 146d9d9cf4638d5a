using Orleans.Storage;
using Oversight.Grains.Units;

namespace Oversight.Tests.Grains;

/// <summary>
/// What every grain store here must do, as Orleans' stores do it: round trips, etag checks that
/// let only the activation holding the current etag write, and clears.
/// </summary>
public abstract class GrainStoreContract
{
    /// <summary>The store under test.</summary>
    protected abstract IGrainStorage Store { get; }

    /// <summary>The same stored data seen through a fresh store instance, where the store allows one.</summary>
    protected abstract IGrainStorage Reopened();

    protected static GrainId Unit(string key) => GrainId.Create("unit", key);

    protected static GrainState<UnitState> State(string? parent, long version) =>
        new(new UnitState { Parent = parent, Version = version, Applied = new() { [0] = version } });

    [Fact]
    public async Task AWrittenStateIsReadBackWithItsEtag()
    {
        var written = State("hq", 42);
        await Store.WriteStateAsync("unit", Unit("acme/a1"), written);
        Assert.True(written.RecordExists);
        Assert.NotNull(written.ETag);

        var again = Reopened();
        var read = new GrainState<UnitState>();
        await again.ReadStateAsync("unit", Unit("acme/a1"), read);
        Assert.True(read.RecordExists);
        Assert.Equal(written.ETag, read.ETag);
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
        var first = new GrainState<UnitState>();
        var second = new GrainState<UnitState>();
        await Store.ReadStateAsync("unit", Unit("acme/b"), first);
        await Store.ReadStateAsync("unit", Unit("acme/b"), second);

        first.State = new UnitState { Parent = "hq", Version = 1 };
        await Store.WriteStateAsync("unit", Unit("acme/b"), first);
        second.State = new UnitState { Parent = "elsewhere", Version = 2 };
        await Assert.ThrowsAsync<InconsistentStateException>(() => Store.WriteStateAsync("unit", Unit("acme/b"), second));

        var read = new GrainState<UnitState>();
        await Store.ReadStateAsync("unit", Unit("acme/b"), read);
        Assert.Equal("hq", read.State!.Parent);
        Assert.Equal(1, read.State!.Version);
        Assert.Equal(first.ETag, read.ETag);

        // The activation that wrote last goes on writing.
        first.State!.Version = 3;
        await Store.WriteStateAsync("unit", Unit("acme/b"), first);
        await Store.ReadStateAsync("unit", Unit("acme/b"), read);
        Assert.Equal(3, read.State!.Version);
    }

    [Fact]
    public async Task TwoActivationsWritingAtOnceWriteOnce()
    {
        var a = new GrainState<UnitState>(new UnitState { Parent = "a", Version = 1 });
        var b = new GrainState<UnitState>(new UnitState { Parent = "b", Version = 2 });

        // Both believe the state is new; started together (in one group, where the store groups), the first wins.
        var writeA = Store.WriteStateAsync("unit", Unit("acme/c"), a);
        var writeB = Store.WriteStateAsync("unit", Unit("acme/c"), b);
        await writeA;
        await Assert.ThrowsAsync<InconsistentStateException>(() => writeB);

        var read = new GrainState<UnitState>();
        await Store.ReadStateAsync("unit", Unit("acme/c"), read);
        Assert.Equal("a", read.State!.Parent);
        Assert.Equal(a.ETag, read.ETag);
    }

    [Fact]
    public async Task ManyStatesWrittenTogetherAreAllReadBack()
    {
        const int count = 600;
        var states = Enumerable.Range(0, count).Select(i => State($"p{i}", i)).ToArray();
        await Task.WhenAll(states.Select((s, i) => Store.WriteStateAsync("unit", Unit($"acme/u{i}"), s)));

        var reads = Enumerable.Range(0, count).Select(_ => new GrainState<UnitState>()).ToArray();
        await Task.WhenAll(reads.Select((r, i) => Store.ReadStateAsync("unit", Unit($"acme/u{i}"), r)));
        for (var i = 0; i < count; i++)
        {
            Assert.True(reads[i].RecordExists);
            Assert.Equal($"p{i}", reads[i].State!.Parent);
            Assert.Equal(i, reads[i].State!.Version);
            Assert.Equal(states[i].ETag, reads[i].ETag);
        }
    }

    [Fact]
    public async Task ClearingRemovesTheStateOnlyWithTheCurrentEtag()
    {
        var state = State("hq", 5);
        await Store.WriteStateAsync("unit", Unit("acme/d"), state);
        var stale = new GrainState<UnitState> { ETag = "stale" };
        await Assert.ThrowsAsync<InconsistentStateException>(() => Store.ClearStateAsync("unit", Unit("acme/d"), stale));

        await Store.ClearStateAsync("unit", Unit("acme/d"), state);
        Assert.False(state.RecordExists);
        var read = new GrainState<UnitState>();
        await Store.ReadStateAsync("unit", Unit("acme/d"), read);
        Assert.False(read.RecordExists);
    }

    [Fact]
    public async Task AStoredStateIsNotTheObjectTheGrainKeepsChanging()
    {
        var state = State("hq", 7);
        await Store.WriteStateAsync("unit", Unit("acme/e"), state);
        state.State!.Version = 8;
        state.State!.Applied[0] = 8;

        var read = new GrainState<UnitState>();
        await Store.ReadStateAsync("unit", Unit("acme/e"), read);
        Assert.Equal(7, read.State!.Version);
        Assert.Equal(7, read.State!.Applied[0]);
    }
}
