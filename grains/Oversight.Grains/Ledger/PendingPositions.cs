namespace Oversight.Grains.Ledger;

/// <summary>
/// The log positions still pending for one unit, ascending. Positions only grow, so they are
/// appended at the end, and a unit confirms a prefix, so they leave from the front: every lookup
/// is a binary search, nothing walks the whole set.
/// </summary>
internal sealed class PendingPositions
{
    private readonly List<long> _positions = [];

    public int Count => _positions.Count;

    public long this[int index] => _positions[index];

    /// <summary>The last pending position.</summary>
    public long Last => _positions[^1];

    public void Add(long position)
    {
        if (_positions.Count == 0 || _positions[^1] < position)
        {
            _positions.Add(position);
            return;
        }

        var at = _positions.BinarySearch(position);
        if (at < 0)
        {
            _positions.Insert(~at, position);
        }
    }

    /// <summary>The index of the first position after <paramref name="after"/> (Count when none).</summary>
    public int IndexAfter(long after)
    {
        var at = _positions.BinarySearch(after);
        return at < 0 ? ~at : at + 1;
    }

    /// <summary>True when <paramref name="position"/> is pending.</summary>
    public bool Contains(long position)
    {
        var at = IndexAfter(position - 1);
        return at < _positions.Count && _positions[at] == position;
    }

    /// <summary>The pending position just before <paramref name="position"/>, or -1.</summary>
    public long Before(long position)
    {
        var at = IndexAfter(position - 1);
        return at > 0 ? _positions[at - 1] : -1;
    }

    /// <summary>Removes the positions up to and including <paramref name="through"/>; returns them.</summary>
    public List<long> RemoveThrough(long through)
    {
        var count = IndexAfter(through);
        var removed = _positions.GetRange(0, count);
        _positions.RemoveRange(0, count);
        return removed;
    }
}
