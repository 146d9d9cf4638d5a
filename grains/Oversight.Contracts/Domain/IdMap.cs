namespace Oversight.Domain;

/// <summary>
/// Values by 128-bit id hash (<see cref="Ids.Hash"/>), split into <see cref="Parts"/>
/// dictionaries by the hash's low bits. One dictionary of millions of ids grows by doubling: a
/// single array pair of a hundred megabytes on the large-object heap whenever it crosses a size,
/// and each such allocation brings the next full collection closer. Split, each part grows on its
/// own, a few kilobytes at a time. Parts are made on first use, so a small tenant costs only the
/// array of them. With 4,096 a part's entries (48 bytes each) stay below the large-object heap's
/// 85 KB until the map holds about four million ids; with 1,024 a tenant's millionth id already
/// grew parts there (180 MB of large arrays in six seconds of the benchmark's S run, where large
/// allocations started every full collection).
/// </summary>
public sealed class IdMap<TValue>
{
    /// <summary>Number of partitions (a power of two).</summary>
    public const int Parts = 4096;

    private readonly Dictionary<UInt128, TValue>?[] _parts = new Dictionary<UInt128, TValue>?[Parts];

    /// <summary>Ids held.</summary>
    public int Count
    {
        get
        {
            var count = 0;
            foreach (var part in _parts)
            {
                count += part?.Count ?? 0;
            }

            return count;
        }
    }

    /// <summary>The id's value, or false when it is not held.</summary>
    public bool TryGetValue(UInt128 hash, out TValue value)
    {
        if (Existing(hash) is { } part)
        {
            return part.TryGetValue(hash, out value!);
        }

        value = default!;
        return false;
    }

    /// <summary>Adds an id; false when it is held already (and then nothing changes).</summary>
    public bool TryAdd(UInt128 hash, TValue value) => PartOf(hash).TryAdd(hash, value);

    /// <summary>
    /// The id's value slot, added as the default when the id is new (<paramref name="exists"/>
    /// false): one lookup to find or add. Valid until the map next changes.
    /// </summary>
    public ref TValue GetValueRefOrAddDefault(UInt128 hash, out bool exists) =>
        ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(PartOf(hash), hash, out exists)!;

    /// <summary>Holds an id with a value, replacing any earlier one.</summary>
    public void Set(UInt128 hash, TValue value) => PartOf(hash)[hash] = value;

    /// <summary>Forgets an id; false when it was not held.</summary>
    public bool Remove(UInt128 hash) => Existing(hash)?.Remove(hash) ?? false;

    /// <summary>True when the id is held.</summary>
    public bool ContainsKey(UInt128 hash) => Existing(hash)?.ContainsKey(hash) ?? false;

    /// <summary>Forgets every id whose value matches; returns how many.</summary>
    public int RemoveWhere(Func<TValue, bool> match)
    {
        var removed = 0;
        foreach (var part in _parts)
        {
            if (part is null)
            {
                continue;
            }

            foreach (var (hash, value) in part)
            {
                // Removing while enumerating is allowed for Dictionary (it does not invalidate the enumerator).
                if (match(value) && part.Remove(hash))
                {
                    removed++;
                }
            }
        }

        return removed;
    }

    /// <summary>The id's part, made when first needed.</summary>
    private Dictionary<UInt128, TValue> PartOf(UInt128 hash) => _parts[(int)((ulong)hash & (Parts - 1))] ??= [];

    /// <summary>The id's part, or null when none was needed yet.</summary>
    private Dictionary<UInt128, TValue>? Existing(UInt128 hash) => _parts[(int)((ulong)hash & (Parts - 1))];
}
