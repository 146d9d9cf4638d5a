using Oversight.Domain;

namespace Oversight.Tests.Domain;

public sealed class IdMapTests
{
    /// <summary>
    /// Random adds, sets, removals and day-based sweeps against a dictionary holding the same. The
    /// keys are drawn from a few parts and a few home slots as well as at random, so long probe
    /// runs form and removals have to shift entries back across them (and across the table's end).
    /// </summary>
    [Theory]
    [InlineData(1, 60_000)]
    [InlineData(2, 60_000)]
    [InlineData(3, 200_000)]
    public void BehavesAsADictionary(int seed, int steps)
    {
        var random = new Random(seed);
        var map = new IdMap<int>();
        var expected = new Dictionary<UInt128, int>();
        var keys = new List<UInt128> { UInt128.Zero };
        UInt128 NewKey() => random.Next(3) switch
        {
            // One of two parts, one of a few home slots: runs that wrap around small tables.
            0 => new UInt128((ulong)random.Next(4) << 60 | (ulong)random.Next(4) << 40 | (uint)random.Next(3), (uint)random.Next(2) | (ulong)random.NextInt64() << 12),
            1 => UInt128.Zero,
            _ => new UInt128((ulong)random.NextInt64(), (ulong)random.NextInt64()),
        };

        for (var step = 0; step < steps; step++)
        {
            var key = random.Next(3) == 0 ? keys[random.Next(keys.Count)] : NewKey();
            keys.Add(key);
            var value = random.Next(1000);
            switch (random.Next(10))
            {
                case < 4:
                    Assert.Equal(expected.TryAdd(key, value), map.TryAdd(key, value));
                    break;
                case 4:
                    map.Set(key, value);
                    expected[key] = value;
                    break;
                case 5:
                    ref var held = ref map.GetValueRefOrAddDefault(key, out var exists);
                    Assert.Equal(expected.ContainsKey(key), exists);
                    Assert.Equal(expected.GetValueOrDefault(key), held);
                    held += value;
                    expected[key] = held;
                    break;
                case < 8:
                    Assert.Equal(expected.Remove(key), map.Remove(key));
                    break;
                case 8:
                    Assert.Equal(expected.TryGetValue(key, out var want), map.TryGetValue(key, out var got));
                    Assert.Equal(want, got);
                    Assert.Equal(expected.ContainsKey(key), map.ContainsKey(key));
                    break;
                default:
                    if (random.Next(500) == 0)
                    {
                        var below = random.Next(1000);
                        var gone = expected.Where(pair => pair.Value < below).Select(pair => pair.Key).ToList();
                        gone.ForEach(k => expected.Remove(k));
                        Assert.Equal(gone.Count, map.RemoveWhere(day => day < below));
                    }

                    break;
            }
        }

        Assert.Equal(expected.Count, map.Count);
        foreach (var key in keys.Distinct())
        {
            Assert.Equal(expected.TryGetValue(key, out var want), map.TryGetValue(key, out var got));
            Assert.Equal(want, got);
        }
    }

    [Fact]
    public void HoldsAMillionIdsAndForgetsThemByValue()
    {
        var map = new IdMap<int>();
        for (var i = 0; i < 1_000_000; i++)
        {
            Assert.True(map.TryAdd(Ids.Hash($"e-{i}"), i % 7));
        }

        Assert.False(map.TryAdd(Ids.Hash("e-123456"), 0));
        Assert.Equal(1_000_000, map.Count);
        Assert.Equal(Enumerable.Range(0, 1_000_000).Count(i => i % 7 < 3), map.RemoveWhere(day => day < 3));
        Assert.Equal(Enumerable.Range(0, 1_000_000).Count(i => i % 7 >= 3), map.Count);
        Assert.True(map.TryGetValue(Ids.Hash("e-5"), out var day));
        Assert.Equal(5, day);
        Assert.False(map.ContainsKey(Ids.Hash("e-7")));
    }
}
