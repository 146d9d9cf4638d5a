using System.Collections.Concurrent;

namespace Oversight.Grains.Log;

/// <summary>
/// Append-only sequences by (tenant, shard) in process memory, positions strictly increasing: the
/// storage behind the embedded default's logs, gone with the process like all its state.
/// </summary>
internal sealed class MemorySequences<T>
{
    private readonly ConcurrentDictionary<(string, int), SortedList<long, T>> _sequences = new();

    /// <summary>Appends at <paramref name="position"/>; fails when the position is taken.</summary>
    public void Append(string tenant, int shard, long position, T item)
    {
        var sequence = _sequences.GetOrAdd((tenant, shard), _ => []);
        lock (sequence)
        {
            if (sequence.Count > 0 && sequence.Keys[^1] >= position)
            {
                throw new InvalidOperationException($"Log position {position} of {tenant}/{shard} is taken.");
            }

            sequence.Add(position, item);
        }
    }

    /// <summary>Everything kept, in position order.</summary>
    public IAsyncEnumerable<T> ReadAll(string tenant, int shard)
    {
        if (!_sequences.TryGetValue((tenant, shard), out var sequence))
        {
            return AsyncEnumerable.Empty<T>();
        }

        lock (sequence)
        {
            return sequence.Values.ToArray().ToAsyncEnumerable();
        }
    }

    /// <summary>Drops the items at or below a position.</summary>
    public void Trim(string tenant, int shard, long throughPosition)
    {
        if (_sequences.TryGetValue((tenant, shard), out var sequence))
        {
            lock (sequence)
            {
                while (sequence.Count > 0 && sequence.Keys[0] <= throughPosition)
                {
                    sequence.RemoveAt(0);
                }
            }
        }
    }
}
