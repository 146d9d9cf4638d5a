namespace Oversight.Grains.Ledger;

/// <summary>
/// The ledger's accepted ids, as 128-bit hashes with the local day each was accepted, split into
/// <see cref="Parts"/> dictionaries by the hash's low bits. One dictionary of millions of ids grew
/// by doubling: a single 134 MB array pair on the large-object heap whenever it crossed a size (8%
/// of ingest allocation in a sample). Split, each part grows on its own, a few kilobytes at a time.
/// </summary>
public sealed class IdSet
{
    /// <summary>Number of partitions (a power of two).</summary>
    public const int Parts = 1024;

    private readonly Dictionary<UInt128, int>[] _parts = new Dictionary<UInt128, int>[Parts];

    public IdSet()
    {
        for (var i = 0; i < Parts; i++)
        {
            _parts[i] = [];
        }
    }

    /// <summary>Ids held.</summary>
    public int Count
    {
        get
        {
            var count = 0;
            foreach (var part in _parts)
            {
                count += part.Count;
            }

            return count;
        }
    }

    /// <summary>Adds an id accepted on a day; false when it is held already (a duplicate).</summary>
    public bool TryAdd(UInt128 hash, int day) => PartOf(hash).TryAdd(hash, day);

    /// <summary>Holds an id with its day, replacing any earlier day (replaying the log).</summary>
    public void Set(UInt128 hash, int day) => PartOf(hash)[hash] = day;

    /// <summary>Forgets an id; false when it was not held.</summary>
    public bool Remove(UInt128 hash) => PartOf(hash).Remove(hash);

    /// <summary>True when the id is held.</summary>
    public bool Contains(UInt128 hash) => PartOf(hash).ContainsKey(hash);

    /// <summary>Forgets every id accepted before a day; returns how many.</summary>
    public int RemoveBefore(int day)
    {
        var removed = 0;
        foreach (var part in _parts)
        {
            foreach (var (hash, accepted) in part)
            {
                // Removing while enumerating is allowed for Dictionary (it does not invalidate the enumerator).
                if (accepted < day && part.Remove(hash))
                {
                    removed++;
                }
            }
        }

        return removed;
    }

    private Dictionary<UInt128, int> PartOf(UInt128 hash) => _parts[(int)((ulong)hash & (Parts - 1))];
}
