namespace Oversight.Domain;

/// <summary>
/// Load vectors by key (a day, a month, a year) in one flat array: no object per bucket, so a
/// unit's thousands of buckets cost the collector two arrays, not thousands of small ones.
/// <para>
/// Keys are found through a dense index over the span of keys held (a unit's days cluster in a
/// year or two), so the counting path does no hashing; the dictionary keeps the keys for walking
/// and answers for keys outside a span grown too wide (<see cref="MaxDenseSpan"/>).
/// </para>
/// </summary>
public sealed class VectorTable
{
    /// <summary>The widest key span the dense index covers (about eleven years of days).</summary>
    private const int MaxDenseSpan = 4096;

    private readonly Dictionary<int, int> _slots = [];
    private long[] _values = [];

    // _dense[key - _base] is the key's slot + 1, or 0 when the key is not held. Every held key
    // inside [_base, _base + _dense.Length) is in it.
    private int[] _dense = [];
    private int _base;

    /// <summary>Number of keys held (a key stays once added, even if its vector returns to zero).</summary>
    public int Count => _slots.Count;

    /// <summary>The keys held, in no particular order.</summary>
    public Dictionary<int, int>.KeyCollection Keys => _slots.Keys;

    /// <summary>The key's vector, added as zeros when new; valid until the next key is added.</summary>
    public Span<long> GetOrAdd(int key)
    {
        var slot = Find(key);
        if (slot < 0)
        {
            slot = _slots.Count;
            var needed = (slot + 1) * LoadCounters.Width;
            if (needed > _values.Length)
            {
                Array.Resize(ref _values, Math.Max(needed, _values.Length * 2));
            }

            _slots[key] = slot;
            Index(key, slot);
        }

        return _values.AsSpan(slot * LoadCounters.Width, LoadCounters.Width);
    }

    /// <summary>The key's vector, or false when the key is not held.</summary>
    public bool TryGet(int key, out ReadOnlySpan<long> vector)
    {
        var slot = Find(key);
        if (slot >= 0)
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
        Array.Clear(_dense);
        _slots.Clear();
    }

    /// <summary>The key's slot, or -1.</summary>
    private int Find(int key)
    {
        var offset = (ulong)((long)key - _base);
        if (offset < (ulong)_dense.Length)
        {
            return _dense[offset] - 1;
        }

        return _slots.Count > 0 && _slots.TryGetValue(key, out var slot) ? slot : -1;
    }

    /// <summary>Puts a new key in the dense index, widening its span when that stays within bounds.</summary>
    private void Index(int key, int slot)
    {
        var offset = (ulong)((long)key - _base);
        if (offset < (ulong)_dense.Length)
        {
            _dense[offset] = slot + 1;
            return;
        }

        // A new span around every key it can cover, with room to grow on both sides.
        long low = _dense.Length == 0 ? key : Math.Min(_base, key);
        long high = _dense.Length == 0 ? key + 1L : Math.Max(_base + (long)_dense.Length, key + 1L);
        var width = high - low;
        if (width > MaxDenseSpan)
        {
            return;
        }

        var slack = Math.Min(MaxDenseSpan - width, Math.Max(16, width / 2));
        low = Math.Max(int.MinValue, low - (slack / 2));
        width = Math.Min(MaxDenseSpan, width + slack);
        _base = (int)low;
        _dense = new int[width];
        foreach (var (k, s) in _slots)
        {
            var o = (long)k - _base;
            if (o >= 0 && o < width)
            {
                _dense[o] = s + 1;
            }
        }
    }
}
