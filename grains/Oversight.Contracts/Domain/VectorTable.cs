namespace Oversight.Domain;

/// <summary>
/// Load vectors by key (a day, a month, a year) in one flat array: no object per bucket, so a
/// unit's thousands of buckets cost the collector two arrays, not thousands of small ones.
/// </summary>
public sealed class VectorTable
{
    // Vectors live in chunks of ChunkSlots slots, so a growing table never copies what it holds:
    // only the first chunk grows (from a few slots, so small tables stay small), later ones are
    // added whole. A unit's day tables reach hundreds of days while ingest runs; doubling one array
    // made each step a fresh, soon-promoted copy of everything before it.
    private const int ChunkBits = 5;
    private const int ChunkSlots = 1 << ChunkBits;
    private const int FirstSlots = 4;

    private readonly Dictionary<int, int> _slots = [];
    private long[][] _chunks = [];

    /// <summary>Number of keys held (a key stays once added, even if its vector returns to zero).</summary>
    public int Count => _slots.Count;

    /// <summary>The keys held, in no particular order.</summary>
    public Dictionary<int, int>.KeyCollection Keys => _slots.Keys;

    /// <summary>The key's vector, added as zeros when new.</summary>
    public Span<long> GetOrAdd(int key)
    {
        if (!_slots.TryGetValue(key, out var slot))
        {
            slot = _slots.Count;
            Reserve(slot);
            _slots[key] = slot;
        }

        return Vector(slot);
    }

    /// <summary>The key's vector, or false when the key is not held.</summary>
    public bool TryGet(int key, out ReadOnlySpan<long> vector)
    {
        if (_slots.TryGetValue(key, out var slot))
        {
            vector = Vector(slot);
            return true;
        }

        vector = default;
        return false;
    }

    /// <summary>Adds a vector to the key's.</summary>
    public void Add(int key, ReadOnlySpan<long> vector) => LoadCounters.AddInto(GetOrAdd(key), vector);

    /// <summary>Every key with its vector (a copy-free walk; do not add keys while walking).</summary>
    public IEnumerable<KeyValuePair<int, int>> Slots => _slots;

    /// <summary>The vector at a slot from <see cref="Slots"/>.</summary>
    public ReadOnlySpan<long> At(int slot) => Vector(slot);

    /// <summary>Forgets every key.</summary>
    public void Clear()
    {
        foreach (var chunk in _chunks)
        {
            Array.Clear(chunk);
        }

        _slots.Clear();
    }

    private Span<long> Vector(int slot) =>
        _chunks[slot >> ChunkBits].AsSpan((slot & (ChunkSlots - 1)) * LoadCounters.Width, LoadCounters.Width);

    /// <summary>Makes room for a slot: grows the first chunk up to full size, then adds chunks.</summary>
    private void Reserve(int slot)
    {
        var chunk = slot >> ChunkBits;
        if (chunk == 0)
        {
            if (_chunks.Length == 0)
            {
                _chunks = [new long[FirstSlots * LoadCounters.Width]];
            }
            else if (_chunks[0].Length <= slot * LoadCounters.Width)
            {
                Array.Resize(ref _chunks[0], Math.Min(ChunkSlots, _chunks[0].Length / LoadCounters.Width * 2) * LoadCounters.Width);
            }

            return;
        }

        if (chunk >= _chunks.Length)
        {
            Array.Resize(ref _chunks, chunk + 1);
            _chunks[chunk] = new long[ChunkSlots * LoadCounters.Width];
        }
    }
}
