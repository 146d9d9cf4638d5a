using Oversight.Domain;

namespace Oversight.Tests.Domain;

public sealed class VectorTableTests
{
    [Theory]
    [InlineData(1, 500, 5_000)]
    [InlineData(2, 500, 5_000)]
    [InlineData(3, 500, 5_000)]
    [InlineData(4, 20_000, 5_000)]
    [InlineData(5, int.MaxValue, 5_000)]
    [InlineData(6, 500, 20)]
    [InlineData(7, 500, 36)]
    [InlineData(8, int.MaxValue, 36)]
    [InlineData(9, 20_000, 60)]
    public void HoldsWhatADictionaryOfVectorsHolds(int seed, int spread, int adds)
    {
        // Random keys and slots, cleared and refilled once on the way. A wide spread puts keys
        // beyond the dense index's span, so every way of finding a key is exercised; a few adds
        // stay with scanning the keys, or cross from it to the index (one over the keys held so
        // far, or key by key when they span too much for one).
        var random = new Random(seed);
        int Key() => random.Next(3) == 0 ? 739_000 + random.Next(-50, 450) : (int)Math.Clamp(739_000L + random.NextInt64(-(long)spread, spread), int.MinValue, int.MaxValue);
        var table = new VectorTable();
        var expected = new Dictionary<int, long[]>();
        for (var round = 0; round < 2; round++)
        {
            for (var i = 0; i < adds; i++)
            {
                var key = Key();
                var slot = random.Next(LoadCounters.Width);
                var amount = random.Next(1, 1_000);
                table.GetOrAdd(key)[slot] += amount;
                (expected.TryGetValue(key, out var v) ? v : expected[key] = new long[LoadCounters.Width])[slot] += amount;
            }

            Assert.Equal(expected.Count, table.Count);
            if (adds == 36)
            {
                // These seeds cross from scanning to the index in both rounds.
                Assert.InRange(table.Count, 33, 36);
            }

            for (var i = 0; i < 2_000; i++)
            {
                var probe = Key();
                Assert.Equal(expected.ContainsKey(probe), table.TryGet(probe, out _));
            }

            foreach (var (key, vector) in expected)
            {
                Assert.True(table.TryGet(key, out var held));
                Assert.Equal(vector, held.ToArray());
            }

            var walked = new List<int>();
            var total = 0L;
            foreach (var (key, slot) in table.Slots)
            {
                walked.Add(key);
                total += table.At(slot).ToArray().Sum();
            }

            Assert.Equal(expected.Keys.Order(), walked.Order());
            Assert.Equal(walked, table.Keys);
            Assert.Equal(expected.Values.Sum(v => v.Sum()), total);
            if (round == 0)
            {
                table.Clear();
                expected.Clear();
                Assert.False(table.TryGet(739_000, out _));
                Assert.False(table.TryGet(int.MinValue, out _));
            }
        }
    }
}
