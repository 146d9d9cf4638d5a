namespace Oversight.Domain;

/// <summary>
/// A read-only, indexed view of one version of a group's tree: parents, sorted children,
/// subtree sizes and headcounts, and Euler-tour intervals so "is X in the subtree of S" is O(1).
/// Built once per tree version and shared by every request that reads it.
/// </summary>
public sealed class TreeView
{
    private readonly Dictionary<string, int> _index;
    private readonly int[] _enter;
    private readonly int[] _exit;

    /// <summary>Builds the view; the records must form one valid tree (as the tenant grain keeps it).</summary>
    public TreeView(IReadOnlyCollection<UnitRecord> units, long version)
    {
        Version = version;
        Units = [.. units.OrderBy(u => u.Id, StringComparer.Ordinal)];
        var n = Units.Length;
        _index = new Dictionary<string, int>(n, StringComparer.Ordinal);
        for (var i = 0; i < n; i++)
        {
            _index[Units[i].Id] = i;
        }

        Parent = new int[n];
        var childLists = new List<int>[n];
        Root = -1;
        for (var i = 0; i < n; i++)
        {
            var p = Units[i].ParentId;
            Parent[i] = p is not null && _index.TryGetValue(p, out var pi) ? pi : -1;
            if (Parent[i] < 0)
            {
                Root = i;
            }
            else
            {
                (childLists[Parent[i]] ??= []).Add(i);
            }
        }

        // Units are sorted by id, so children lists built in index order are sorted by id too.
        Children = [.. childLists.Select(l => l is null ? Array.Empty<int>() : [.. l])];
        SubtreeUnits = new int[n];
        SubtreeHeadcount = new long[n];
        Depth = new int[n];
        _enter = new int[n];
        _exit = new int[n];
        if (Root >= 0)
        {
            Walk();
        }
    }

    /// <summary>The tree version this view shows.</summary>
    public long Version { get; }

    /// <summary>Units sorted by id; a unit's index is its position here.</summary>
    public UnitRecord[] Units { get; }

    /// <summary>Index of each unit's parent, -1 for the root.</summary>
    public int[] Parent { get; }

    /// <summary>Indexes of each unit's children, sorted by id.</summary>
    public int[][] Children { get; }

    /// <summary>Units in each unit's subtree, itself included.</summary>
    public int[] SubtreeUnits { get; }

    /// <summary>Headcount summed over each unit's subtree.</summary>
    public long[] SubtreeHeadcount { get; }

    /// <summary>Depth below the root (root = 0).</summary>
    public int[] Depth { get; }

    /// <summary>Index of the root, -1 for an empty tree.</summary>
    public int Root { get; }

    /// <summary>Finds a unit's index.</summary>
    public bool TryGetIndex(string? id, out int index)
    {
        if (id is null)
        {
            index = -1;
            return false;
        }

        return _index.TryGetValue(id, out index);
    }

    /// <summary>True when <paramref name="unit"/> is <paramref name="scope"/> or lies below it.</summary>
    public bool IsWithin(int unit, int scope) => _enter[scope] <= _enter[unit] && _exit[unit] <= _exit[scope];

    /// <summary>The ids from the root down to a unit.</summary>
    public string[] Path(int unit)
    {
        var path = new string[Depth[unit] + 1];
        for (var i = path.Length - 1; i >= 0; i--, unit = Parent[unit])
        {
            path[i] = Units[unit].Id;
        }

        return path;
    }

    private void Walk()
    {
        // Iterative post-order: deep trees must not overflow the stack.
        var clock = 0;
        var stack = new Stack<(int Unit, int NextChild)>();
        stack.Push((Root, 0));
        _enter[Root] = clock++;
        while (stack.Count > 0)
        {
            var (u, next) = stack.Pop();
            if (next < Children[u].Length)
            {
                stack.Push((u, next + 1));
                var c = Children[u][next];
                Depth[c] = Depth[u] + 1;
                _enter[c] = clock++;
                stack.Push((c, 0));
                continue;
            }

            _exit[u] = clock++;
            SubtreeUnits[u] += 1;
            SubtreeHeadcount[u] += Units[u].Headcount;
            if (Parent[u] >= 0)
            {
                SubtreeUnits[Parent[u]] += SubtreeUnits[u];
                SubtreeHeadcount[Parent[u]] += SubtreeHeadcount[u];
            }
        }
    }
}
