using Oversight.Domain;

namespace Oversight.Grains.Ledger;

/// <summary>
/// The ledger's accepted ids, as 128-bit hashes with the local day each was accepted (partitioned:
/// see <see cref="IdMap{TValue}"/>).
/// </summary>
public sealed class IdSet
{
    private readonly IdMap<int> _days = new();

    /// <summary>Ids held.</summary>
    public int Count => _days.Count;

    /// <summary>Brings the ids' entries into cache before a batch of lookups (<see cref="IdMap{TValue}.Touch"/>).</summary>
    public void Touch(ReadOnlySpan<UInt128> hashes) => _days.Touch(hashes);

    /// <summary>Adds an id accepted on a day; false when it is held already (a duplicate).</summary>
    public bool TryAdd(UInt128 hash, int day) => _days.TryAdd(hash, day);

    /// <summary>Holds an id with its day, replacing any earlier day (replaying the log).</summary>
    public void Set(UInt128 hash, int day) => _days.Set(hash, day);

    /// <summary>Forgets an id; false when it was not held.</summary>
    public bool Remove(UInt128 hash) => _days.Remove(hash);

    /// <summary>True when the id is held.</summary>
    public bool Contains(UInt128 hash) => _days.ContainsKey(hash);

    /// <summary>Forgets every id accepted before a day; returns how many.</summary>
    public int RemoveBefore(int day) => _days.RemoveWhere(accepted => accepted < day);
}
