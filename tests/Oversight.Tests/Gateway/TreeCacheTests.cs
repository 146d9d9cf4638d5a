using Oversight.Gateway.Access;
using Oversight.Tests.Api;

namespace Oversight.Tests.Gateway;

[Collection(GatewayCollection.Name)]
public sealed class TreeCacheTests(GatewayFixture gateway)
{
    [Fact]
    public async Task RequestsThatLearnOfAVersionTogetherShareOneTransferAndOneIndexOfIt()
    {
        var group = await Group.CreateAsync(gateway);
        var cache = new TreeCache(gateway.Grains);

        // Sixteen requests at once on a cache that has not seen the tenant: one transfer of the
        // tree and one index, shared.
        var first = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => cache.GetAsync(group.Tenant))));
        Assert.All(first, t => Assert.Same(first[0], t));
        Assert.Equal(1, cache.Transfers);
        Assert.Equal(["hq", "s1", "s1a", "s1b", "s2"], first[0]!.View.Units.Select(u => u.Id));

        // A new version is indexed anew, once, and then answered from the cache.
        (await group.Admin.PutAsync($"{group.Base}/units", new[] { new { id = "s3", name = "S3", parentId = "hq", headcount = 7, kind = "unit" } })).AssertOk();
        var second = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => cache.GetAsync(group.Tenant))));
        Assert.All(second, t => Assert.Same(second[0], t));
        Assert.NotSame(first[0], second[0]);
        Assert.True(second[0]!.View.Version > first[0]!.View.Version);
        Assert.Equal(["hq", "s1", "s1a", "s1b", "s2", "s3"], second[0]!.View.Units.Select(u => u.Id));
        Assert.Same(second[0], await cache.GetAsync(group.Tenant));
        Assert.Equal(2, cache.Transfers);

        Assert.Null(await cache.GetAsync("no-such-" + Guid.NewGuid().ToString("N")[..8]));
        Assert.Equal(2, cache.Transfers);
    }
}
