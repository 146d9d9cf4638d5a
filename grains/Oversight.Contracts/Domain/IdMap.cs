namespace Oversight.Domain;

/// <summary>
/// Values by 128-bit id hash (<see cref="Ids.Hash"/>), split into <see cref="Parts"/> tables by
/// the hash's low bits. Each part is one flat array of (hash, value) entries with open addressing
/// (linear probing from the hash's high half, at most three quarters full): a lookup touches one
/// array where a <see cref="Dictionary{TKey,TValue}"/> touches its buckets and then its entries
/// (two cache misses in a table of millions), and an entry is 24 bytes for an <c>int</c> value
/// where the dictionary's is 48 (its 128-bit key is 16-byte aligned) plus a bucket.
/// Split, each part grows on its own, a few kilobytes at a time, instead of one table of millions
/// doubling into a hundred megabytes on the large-object heap (180 MB of large arrays in six seconds
/// of the benchmark's S run once, where large allocations started every full collection). Parts are
/// made on first use, so a small tenant costs only the arrays of them.
/// </summary>
/// <remarks>
/// The all-zero hash marks an empty entry, so that one id (an XxHash128 of zero) is held beside
/// the tables.
/// </remarks>
public sealed class IdMap<TValue>
{
    /// <summary>Number of partitions (a power of two).</summary>
    public const int Parts = 4096;

    private const int FirstSize = 8;

    private readonly Entry[]?[] _tables = new Entry[]?[Parts];
    private readonly int[] _counts = new int[Parts];
    private bool _zeroHeld;
    private ulong _touched;
    private TValue _zeroValue = default!;

    /// <summary>Ids held.</summary>
    public int Count
    {
        get
        {
            var count = _zeroHeld ? 1 : 0;
            foreach (var part in _counts)
            {
                count += part;
            }

            return count;
        }
    }

    /// <summary>The id's value, or false when it is not held.</summary>
    public bool TryGetValue(UInt128 hash, out TValue value)
    {
        var (lo, hi) = Split(hash);
        if ((lo | hi) == 0)
        {
            value = _zeroHeld ? _zeroValue : default!;
            return _zeroHeld;
        }

        var table = _tables[PartOf(lo)];
        var at = table is null ? -1 : Find(table, lo, hi);
        value = at >= 0 ? table![at].Value : default!;
        return at >= 0;
    }

    /// <summary>
    /// Reads the first entry each id's lookup would read, so that lookups of a batch right after
    /// find them in cache. The loads do not depend on each other, so the processor has many of
    /// their cache misses outstanding at once, where lookups one after another wait for each in
    /// turn (a map of millions of ids is far larger than the cache: nearly every lookup misses).
    /// </summary>
    public void Touch(ReadOnlySpan<UInt128> hashes)
    {
        var touched = 0UL;
        foreach (var hash in hashes)
        {
            var (lo, hi) = Split(hash);
            if (_tables[PartOf(lo)] is { } table)
            {
                touched ^= table[(int)hi & (table.Length - 1)].Lo;
            }
        }

        // Kept, so the loads are not dropped as unused.
        _touched ^= touched;
    }

    /// <summary>Adds an id; false when it is held already (and then nothing changes).</summary>
    public bool TryAdd(UInt128 hash, TValue value)
    {
        ref var held = ref GetValueRefOrAddDefault(hash, out var exists);
        if (exists)
        {
            return false;
        }

        held = value;
        return true;
    }

    /// <summary>
    /// The id's value slot, added as the default when the id is new (<paramref name="exists"/>
    /// false): one lookup to find or add. Valid until the map next changes.
    /// </summary>
    public ref TValue GetValueRefOrAddDefault(UInt128 hash, out bool exists)
    {
        var (lo, hi) = Split(hash);
        if ((lo | hi) == 0)
        {
            exists = _zeroHeld;
            if (!_zeroHeld)
            {
                (_zeroHeld, _zeroValue) = (true, default!);
            }

            return ref _zeroValue;
        }

        var part = PartOf(lo);
        var table = _tables[part] ??= new Entry[FirstSize];
        var at = Find(table, lo, hi);
        exists = at >= 0;
        if (exists)
        {
            return ref table[at].Value;
        }

        if ((_counts[part] + 1) * 4 > table.Length * 3)
        {
            table = _tables[part] = Grown(table);
            at = Find(table, lo, hi);
        }

        _counts[part]++;
        ref var entry = ref table[~at];
        (entry.Lo, entry.Hi, entry.Value) = (lo, hi, default!);
        return ref entry.Value;
    }

    /// <summary>Holds an id with a value, replacing any earlier one.</summary>
    public void Set(UInt128 hash, TValue value) => GetValueRefOrAddDefault(hash, out _) = value;

    /// <summary>Forgets an id; false when it was not held.</summary>
    public bool Remove(UInt128 hash)
    {
        var (lo, hi) = Split(hash);
        if ((lo | hi) == 0)
        {
            var held = _zeroHeld;
            (_zeroHeld, _zeroValue) = (false, default!);
            return held;
        }

        var part = PartOf(lo);
        var table = _tables[part];
        var at = table is null ? -1 : Find(table, lo, hi);
        if (at < 0)
        {
            return false;
        }

        RemoveAt(table!, at);
        _counts[part]--;
        return true;
    }

    /// <summary>True when the id is held.</summary>
    public bool ContainsKey(UInt128 hash) => TryGetValue(hash, out _);

    /// <summary>Forgets every id whose value matches; returns how many.</summary>
    public int RemoveWhere(Func<TValue, bool> match)
    {
        var removed = 0;
        if (_zeroHeld && match(_zeroValue))
        {
            (_zeroHeld, _zeroValue) = (false, default!);
            removed++;
        }

        for (var part = 0; part < Parts; part++)
        {
            if (_tables[part] is not { } table)
            {
                continue;
            }

            var matching = 0;
            foreach (ref readonly var entry in table.AsSpan())
            {
                if ((entry.Lo | entry.Hi) != 0 && match(entry.Value))
                {
                    matching++;
                }
            }

            if (matching == 0)
            {
                continue;
            }

            // Entries removed one by one would shift others under the walk; the survivors go into
            // a fresh table of the same size instead (this runs only as days of ids expire).
            _tables[part] = Copied(table, table.Length, match);
            _counts[part] -= matching;
            removed += matching;
        }

        return removed;
    }

    private static (ulong Lo, ulong Hi) Split(UInt128 hash) => ((ulong)hash, (ulong)(hash >> 64));

    private static int PartOf(ulong lo) => (int)(lo & (Parts - 1));

    /// <summary>The id's entry, or the complement of the empty entry where it would go.</summary>
    private static int Find(Entry[] table, ulong lo, ulong hi)
    {
        var mask = table.Length - 1;
        for (var at = (int)hi & mask; ; at = (at + 1) & mask)
        {
            ref readonly var entry = ref table[at];
            if (entry.Lo == lo && entry.Hi == hi)
            {
                return at;
            }

            if ((entry.Lo | entry.Hi) == 0)
            {
                return ~at;
            }
        }
    }

    private static Entry[] Grown(Entry[] table) => Copied(table, table.Length * 2, dropping: null);

    /// <summary>The table's entries (but those whose value matches <paramref name="dropping"/>) in a new table of the given size.</summary>
    private static Entry[] Copied(Entry[] table, int size, Func<TValue, bool>? dropping)
    {
        var copy = new Entry[size];
        foreach (ref readonly var entry in table.AsSpan())
        {
            if ((entry.Lo | entry.Hi) != 0 && dropping?.Invoke(entry.Value) != true)
            {
                copy[~Find(copy, entry.Lo, entry.Hi)] = entry;
            }
        }

        return copy;
    }

    /// <summary>
    /// Empties an entry, moving back each later entry of its run that may then be found sooner
    /// (backward-shift deletion: no markers of removed entries are left to probe past).
    /// </summary>
    private static void RemoveAt(Entry[] table, int at)
    {
        var mask = table.Length - 1;
        var next = at;
        while (true)
        {
            next = (next + 1) & mask;
            ref readonly var entry = ref table[next];
            if ((entry.Lo | entry.Hi) == 0)
            {
                break;
            }

            // An entry stays when its home lies cyclically within (at, next]: the gap is not on its path.
            var home = (int)entry.Hi & mask;
            var stays = at <= next ? at < home && home <= next : at < home || home <= next;
            if (!stays)
            {
                table[at] = entry;
                at = next;
            }
        }

        table[at] = default;
    }

    private struct Entry
    {
        public ulong Lo;
        public ulong Hi;
        public TValue Value;
    }
}
