using Oversight.Domain;

namespace Oversight.Tests.Domain;

public sealed class VectorTableTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void HoldsWhatADictionaryOfVectorsHolds(int seed)
    {
        // Random keys and slots across many chunks, cleared and refilled once on the way.
        var random = new Random(seed);
        var table = new VectorTable();
        var expected = new Dictionary<int, long[]>();
        for (var round = 0; round < 2; round++)
        {
            for (var i = 0; i < 5_000; i++)
            {
                var key = random.Next(-50, 450);
                var slot = random.Next(LoadCounters.Width);
                var amount = random.Next(1, 1_000);
                table.GetOrAdd(key)[slot] += amount;
                (expected.TryGetValue(key, out var v) ? v : expected[key] = new long[LoadCounters.Width])[slot] += amount;
            }

            Assert.Equal(expected.Count, table.Count);
            foreach (var (key, vector) in expected)
            {
                Assert.True(table.TryGet(key, out var held));
                Assert.Equal(vector, held.ToArray());
            }

            Assert.Equal(expected.Keys.Order(), table.Slots.Select(s => s.Key).Order());
            Assert.Equal(expected.Values.Sum(v => v.Sum()), table.Slots.Sum(s => table.At(s.Value).ToArray().Sum()));
            if (round == 0)
            {
                table.Clear();
                expected.Clear();
                Assert.False(table.TryGet(0, out _));
            }
        }
    }
}
