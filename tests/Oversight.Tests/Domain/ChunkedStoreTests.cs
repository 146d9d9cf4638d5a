using Oversight.Domain;

namespace Oversight.Tests.Domain;

public sealed class ChunkedStoreTests
{
    [Fact]
    public void RunsReadBackWholeAcrossManyChunks()
    {
        var random = new Random(7);
        var store = new ChunkedStore<int>();
        var runs = new List<(int Position, int[] Values)> { (store.Append([]), []) };
        var total = 0;
        while (total < 5 * ChunkedStore<int>.ChunkSize)
        {
            // Mostly short runs, now and then one as long as a chunk allows.
            var length = random.Next(20) == 0 ? ChunkedStore<int>.ChunkSize - random.Next(2) : random.Next(0, 300);
            var values = Enumerable.Range(0, length).Select(_ => random.Next()).ToArray();
            runs.Add((store.Append(values), values));
            total += length;
        }

        foreach (var (position, values) in runs)
        {
            Assert.Equal(values, store.Get(position, values.Length).ToArray());
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => store.Append(new int[ChunkedStore<int>.ChunkSize + 1]));
    }
}
