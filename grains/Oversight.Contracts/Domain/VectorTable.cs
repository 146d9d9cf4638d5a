namespace Oversight.Domain;

/// <summary>
/// Load vectors by key (a day, a month, a year) in one flat array: no object per bucket, so a
/// unit's thousands of buckets cost the collector two arrays, not thousands of small ones.
/// </summary>
public sealed class VectorTable
{
    private readonly Dictionary<int, int> _slots = [];
    private long[] _values = [];

    /// <summary>Number of keys held (a key stays once added, even if its vector returns to zero).</summary>
    public int Count => _slots.Count;

    /// <summary>The keys held, in no particular order.</summary>
    public Dictionary<int, int>.KeyCollection Keys => _slots.Keys;

    /// <summary>The key's vector, added as zeros when new; valid until the next key is added.</summary>
    public Span<long> GetOrAdd(int key)
    {
        if (!_slots.TryGetValue(key, out var slot))
        {
            slot = _slots.Count;
            var needed = (slot + 1) * LoadCounters.Width;
            if (needed > _values.Length)
            {
                Array.Resize(ref _values, Math.Max(needed, _values.Length * 2));
            }

            _slots[key] = slot;
        }

        return _values.AsSpan(slot * LoadCounters.Width, LoadCounters.Width);
    }

    /// <summary>The key's vector, or false when the key is not held.</summary>
    public bool TryGet(int key, out ReadOnlySpan<long> vector)
    {
        if (_slots.TryGetValue(key, out var slot))
        {
            vector = _values.AsSpan(slot * LoadCounters.Width, LoadCounters.Width);
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
    public ReadOnlySpan<long> At(int slot) => _values.AsSpan(slot * LoadCounters.Width, LoadCounters.Width);

    /// <summary>Forgets every key.</summary>
    public void Clear()
    {
        Array.Clear(_values, 0, _slots.Count * LoadCounters.Width);
        _slots.Clear();
    }
}
