namespace Oversight.Domain;

/// <summary>
/// Load vectors by key (a day, a month, a year) in chunks of rows: no object per bucket, so a
/// unit's year of days costs the collector a hundred arrays, not thousands of small objects.
/// <para>
/// A table of up to <see cref="ScanKeys"/> keys finds them by a vectorized scan of its keys (most
/// of a large tree's tables hold a few days: a leaf's, or a parent's hold of a leaf). Past that,
/// keys are found through a dense index over the span of keys held (a unit's days cluster in a
/// year or two), so the counting path does no hashing; the keys themselves sit in an array by
/// slot for walking. Only keys outside a span grown too wide (<see cref="MaxDenseSpan"/>) go to
/// a dictionary, made when the first such key arrives. (An index made from the first key on
/// was rebuilt each time a new day widened its span: on a tree of 100,000 units, 11% of all
/// allocation and the largest item of the live heap, for tables of ten days spread over a year.)
/// </para>
/// <para>
/// Vectors sit in chunks of <see cref="ChunkRows"/> rows, added whole as the table grows: no row
/// is ever copied, and a table wastes at most three rows. (Chunks of 16 rows, the first grown by
/// doubling from 4, allocated 3.1 KB to hold a leaf's nine days; a large tree's units grow
/// hundreds of thousands of tables at once, and what they drop lives long enough to be copied.)
/// </para>
/// </summary>
public sealed class VectorTable
{
    /// <summary>The widest key span the dense index covers (about eleven years of days).</summary>
    private const int MaxDenseSpan = 4096;

    /// <summary>Rows per chunk (a power of two; 4 rows of 14 counters are 448 bytes, a year of days 100 chunks).</summary>
    private const int ChunkRows = 4;

    private const int ChunkShift = 2;

    /// <summary>The most keys found by scanning; the dense index is made when one more arrives.</summary>
    private const int ScanKeys = 32;

    private long[][] _chunks = [];

    // _keys[slot] is the key held at that slot; slots 0 .. _count - 1 are in use.
    private int[] _keys = [];
    private int _count;

    // Once made (never empty then): _dense[key - _base] is the key's slot + 1, or 0 when the key is
    // not held. Every held key inside [_base, _base + _dense.Length) is in it; every other held key
    // is in _outside. Until then (at most ScanKeys keys), keys are found in _keys.
    private int[] _dense = [];
    private int _base;
    private Dictionary<int, int>? _outside;

    /// <summary>Number of keys held (a key stays once added, even if its vector returns to zero).</summary>
    public int Count => _count;

    /// <summary>The keys held, in the order they were added.</summary>
    public ArraySegment<int> Keys => new(_keys, 0, _count);

    /// <summary>The key's vector, added as zeros when new; valid until the next key is added.</summary>
    public Span<long> GetOrAdd(int key)
    {
        var slot = Find(key);
        if (slot < 0)
        {
            slot = _count;
            if (slot == _keys.Length)
            {
                Array.Resize(ref _keys, Math.Max(4, slot * 2));
            }

            EnsureRow(slot);

            _keys[slot] = key;
            _count++;
            Index(key, slot);
        }

        return Row(slot);
    }

    /// <summary>The key's vector, or false when the key is not held.</summary>
    public bool TryGet(int key, out ReadOnlySpan<long> vector)
    {
        var slot = Find(key);
        if (slot >= 0)
        {
            vector = Row(slot);
            return true;
        }

        vector = default;
        return false;
    }

    /// <summary>Adds a vector to the key's.</summary>
    public void Add(int key, ReadOnlySpan<long> vector) => LoadCounters.AddInto(GetOrAdd(key), vector);

    /// <summary>Every key with its slot (a copy-free walk; do not add keys while walking).</summary>
    public SlotWalk Slots => new(_keys, _count);

    /// <summary>The vector at a slot from <see cref="Slots"/>.</summary>
    public ReadOnlySpan<long> At(int slot) => (uint)slot < (uint)_count ? Row(slot) : throw new ArgumentOutOfRangeException(nameof(slot));

    /// <summary>Forgets every key.</summary>
    public void Clear()
    {
        foreach (var chunk in _chunks)
        {
            if (chunk is not null)
            {
                Array.Clear(chunk);
            }
        }

        Array.Clear(_dense);
        _count = 0;
        _outside = null;
    }

    private Span<long> Row(int slot) =>
        _chunks[slot >> ChunkShift].AsSpan((slot & (ChunkRows - 1)) * LoadCounters.Width, LoadCounters.Width);

    /// <summary>Makes room for a new row at <paramref name="slot"/> (the next one after the last).</summary>
    private void EnsureRow(int slot)
    {
        var chunk = slot >> ChunkShift;
        if (chunk == _chunks.Length)
        {
            Array.Resize(ref _chunks, Math.Max(2, chunk * 2));
        }

        _chunks[chunk] ??= new long[ChunkRows * LoadCounters.Width];
    }

    /// <summary>The key's slot, or -1.</summary>
    private int Find(int key)
    {
        if (_dense.Length == 0)
        {
            return _keys.AsSpan(0, _count).IndexOf(key);
        }

        var offset = (ulong)((long)key - _base);
        if (offset < (ulong)_dense.Length)
        {
            return _dense[offset] - 1;
        }

        return _outside is not null && _outside.TryGetValue(key, out var slot) ? slot : -1;
    }

    /// <summary>Indexes a new key (held in <c>_keys</c> at <paramref name="slot"/> already).</summary>
    private void Index(int key, int slot)
    {
        if (_dense.Length != 0)
        {
            IndexDense(key, slot);
            return;
        }

        if (_count <= ScanKeys)
        {
            return;
        }

        // One key past scanning: one index over the span of all keys held (with slack on both
        // sides), or, when they span more than it may, key by key as they came (the first makes it).
        var keys = _keys.AsSpan(0, _count);
        long low = keys[0], high = keys[0];
        foreach (var k in keys)
        {
            low = Math.Min(low, k);
            high = Math.Max(high, k);
        }

        if (high - low + 1 <= MaxDenseSpan)
        {
            MakeDense(low, high + 1);
            return;
        }

        for (var s = 0; s < _count; s++)
        {
            IndexDense(_keys[s], s);
        }
    }

    /// <summary>Puts a key in the dense index, widening its span when that stays within bounds.</summary>
    private void IndexDense(int key, int slot)
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
            (_outside ??= [])[key] = slot;
            return;
        }

        MakeDense(low, high);
    }

    /// <summary>
    /// A new dense index over [<paramref name="low"/>, <paramref name="high"/>) (at most
    /// <see cref="MaxDenseSpan"/> wide) with room to grow on both sides, holding every key inside it.
    /// </summary>
    private void MakeDense(long low, long high)
    {
        var width = high - low;
        var slack = Math.Min(MaxDenseSpan - width, Math.Max(16, width / 2));
        low = Math.Max(int.MinValue, low - (slack / 2));
        width = Math.Min(MaxDenseSpan, width + slack);
        _base = (int)low;
        _dense = new int[width];
        for (var s = 0; s < _count; s++)
        {
            var o = (long)_keys[s] - _base;
            if (o >= 0 && o < width)
            {
                _dense[o] = s + 1;
            }
        }
    }

    /// <summary>The (key, slot) pairs of a table, walked without allocating.</summary>
    public readonly struct SlotWalk(int[] keys, int count)
    {
        /// <summary>Starts the walk.</summary>
        public Enumerator GetEnumerator() => new(keys, count);

        /// <summary>The walk's position.</summary>
        public struct Enumerator(int[] keys, int count)
        {
            private int _slot = -1;

            /// <summary>The key at the current slot, with the slot.</summary>
            public readonly KeyValuePair<int, int> Current => new(keys[_slot], _slot);

            /// <summary>Moves to the next slot; false past the last.</summary>
            public bool MoveNext() => ++_slot < count;
        }
    }
}
