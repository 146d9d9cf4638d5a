using Oversight.Domain;
using Oversight.Grains.Ledger;

namespace Oversight.Tests.Grains;

public sealed class IdSetTests
{
    [Fact]
    public void IdsAreHeldOnceAcrossPartitionsAndExpireByDay()
    {
        var ids = new IdSet();
        var hashes = Enumerable.Range(0, 5_000).Select(n => Ids.Hash($"e-{n}")).ToArray();
        for (var n = 0; n < hashes.Length; n++)
        {
            Assert.True(ids.TryAdd(hashes[n], 100 + n % 10));
        }

        Assert.Equal(5_000, ids.Count);
        Assert.All(hashes, h => Assert.False(ids.TryAdd(h, 200)));
        Assert.Equal(5_000, ids.Count);

        // Days 100..104 go (half of them), 105..109 stay; a replay can move an id's day.
        ids.Set(hashes[0], 109);
        Assert.Equal(2_499, ids.RemoveBefore(105));
        Assert.Equal(2_501, ids.Count);
        Assert.True(ids.Contains(hashes[0]));
        Assert.False(ids.Contains(hashes[10]));
        Assert.True(ids.Contains(hashes[5]));

        Assert.True(ids.Remove(hashes[5]));
        Assert.False(ids.Remove(hashes[5]));
        Assert.True(ids.TryAdd(hashes[5], 300));
        Assert.Equal(2_501, ids.Count);
    }
}
