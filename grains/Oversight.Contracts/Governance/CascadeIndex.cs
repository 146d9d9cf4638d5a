using Oversight.Domain;

namespace Oversight.Governance;

/// <summary>
/// Directives and the events issued to carry them out (以文件落实文件, 层层加码): each event's
/// <c>causedBy</c> link, whatever order events arrive in (a child may come before its parent).
/// <para>
/// It holds every event of the retention window, so it is kept flat: one node per event id in
/// parallel arrays (parent, first child, next sibling, day, source, targets), ids and targets in
/// shared buffers, units by number. A million events are a few dozen arrays to the collector,
/// not millions of small objects that every collection would have to trace.
/// </para>
/// </summary>
public sealed class CascadeIndex
{
    private const int None = -1;

    private readonly IdMap<int> _nodes = new();
    private readonly Dictionary<string, int> _unitNumbers = new(StringComparer.Ordinal);
    private readonly List<string> _units = [];

    // One entry per node. A node is "known" once its event was added; until then it only
    // collects the children that name it.
    private int _count;
    private bool[] _known = [];
    private int[] _parent = [];
    private int[] _firstChild = [];
    private int[] _nextSibling = [];
    private int[] _day = [];
    private int[] _source = [];
    private int[] _targetsAt = [];
    private int[] _targetCount = [];
    private int[] _idAt = [];
    private byte[] _idLength = [];

    private char[] _ids = new char[1024];
    private int _idsUsed;
    private int[] _targets = new int[1024];
    private int _targetsUsed;

    /// <summary>Adds an event (a repeat changes nothing).</summary>
    public void Add(string id, string? causedBy, string source, string[] targets, int day) => AddNode(id, causedBy, source, targets, day);

    /// <summary>
    /// Adds a batch of events and returns the tops of the chains they are part of (each once): the
    /// only directives the batch can have amplified. Events with no link and no followers yet are
    /// in no chain. Each event's id is looked up once.
    /// </summary>
    public IReadOnlyCollection<string> AddAll(IReadOnlyList<Grains.LoggedEvent> events)
    {
        var nodes = new int[events.Count];
        for (var i = 0; i < nodes.Length; i++)
        {
            var e = events[i];
            nodes[i] = AddNode(e.Id, e.CausedBy, e.Source, e.Targets, e.Day);
        }

        // After the whole batch: a later event of it may follow an earlier one.
        HashSet<int>? tops = null;
        foreach (var node in nodes)
        {
            if (_parent[node] != None || _firstChild[node] != None)
            {
                (tops ??= []).Add(TopNode(node));
            }
        }

        return tops is null ? [] : [.. tops.Select(IdOf)];
    }

    private int AddNode(string id, string? causedBy, string source, string[] targets, int day)
    {
        var node = NodeOf(id);
        if (_known[node])
        {
            return node;
        }

        _known[node] = true;
        _day[node] = day;
        _source[node] = UnitNumber(source);
        _idAt[node] = Append(ref _ids, ref _idsUsed, id.AsSpan());
        _idLength[node] = checked((byte)id.Length);
        _targetCount[node] = targets.Length;
        _targetsAt[node] = _targetsUsed;
        EnsureRoom(ref _targets, _targetsUsed + targets.Length);
        foreach (var target in targets)
        {
            _targets[_targetsUsed++] = UnitNumber(target);
        }

        if (causedBy is null)
        {
            return node;
        }

        if (causedBy == id)
        {
            _parent[node] = node;
            return node;
        }

        var parent = NodeOf(causedBy);
        _parent[node] = parent;
        _nextSibling[node] = _firstChild[parent];
        _firstChild[parent] = node;
        return node;
    }

    /// <summary>True when some event names <paramref name="id"/> as its <c>causedBy</c>.</summary>
    public bool HasFollowers(string id) => Find(id) is var n && n != None && _firstChild[n] != None;

    /// <summary>True when the event is known.</summary>
    public bool Contains(string id) => Find(id) is var n && n != None && _known[n];

    /// <summary>The top of an event's chain: the known ancestor with no known parent (cycle-safe).</summary>
    public string TopOf(string id)
    {
        var node = Find(id);
        return node == None || !_known[node] ? id : IdOf(TopNode(node));
    }

    /// <summary>The top of a known node's chain (cycle-safe).</summary>
    private int TopNode(int node)
    {
        // Chains are short: walk without bookkeeping, and only track what was seen (to stop on a
        // cycle) once a chain turns out long.
        const int Short = 64;
        HashSet<int>? seen = null;
        for (var steps = 0; _parent[node] is var parent && parent != None && _known[parent]; steps++)
        {
            if (steps >= Short && !(seen ??= []).Add(node))
            {
                break;
            }

            node = parent;
        }

        return node;
    }

    /// <summary>True when <paramref name="id"/> is a root directive: known and with no <c>causedBy</c>.</summary>
    public bool IsRoot(string id) => Find(id) is var n && n != None && _known[n] && _parent[n] == None;

    /// <summary>The source, targets and day of a known event.</summary>
    public (string Source, string[] Targets, int Day) Describe(string id)
    {
        var n = Find(id);
        if (n == None || !_known[n])
        {
            throw new KeyNotFoundException($"Event {id} is not in the cascade index.");
        }

        var targets = new string[_targetCount[n]];
        for (var i = 0; i < targets.Length; i++)
        {
            targets[i] = _units[_targets[_targetsAt[n] + i]];
        }

        return (_units[_source[n]], targets, _day[n]);
    }

    /// <summary>Events and deliveries per depth below <paramref name="root"/> (depth 0 is the root).</summary>
    public List<CascadeLayer> Layers(string root)
    {
        var layers = new List<CascadeLayer>();
        var top = Find(root);
        if (top == None || !_known[top])
        {
            return layers;
        }

        var seen = new HashSet<int> { top };
        var level = new List<int> { top };
        while (level.Count > 0)
        {
            layers.Add(new CascadeLayer(layers.Count, level.Count, Deliveries(level)));
            level = NextLevel(level, seen);
        }

        return layers;
    }

    /// <summary>
    /// The first depth below <paramref name="root"/> carried out by more than
    /// <paramref name="limit"/> events, or null. Stops at that depth: a cascade that stays within
    /// the limit has at most <paramref name="limit"/> events per depth, so this never walks far.
    /// </summary>
    public CascadeLayer? FirstLayerOver(string root, int limit)
    {
        var top = Find(root);
        if (top == None || !_known[top])
        {
            return null;
        }

        var seen = new HashSet<int> { top };
        var level = new List<int> { top };
        for (var depth = 1; level.Count > 0; depth++)
        {
            level = NextLevel(level, seen);
            if (level.Count > limit)
            {
                return new CascadeLayer(depth, level.Count, Deliveries(level));
            }
        }

        return null;
    }

    /// <summary>The known children of a level not seen before (a cycle of links is walked once).</summary>
    private List<int> NextLevel(List<int> level, HashSet<int> seen)
    {
        var next = new List<int>();
        foreach (var node in level)
        {
            for (var child = _firstChild[node]; child != None; child = _nextSibling[child])
            {
                if (_known[child] && seen.Add(child))
                {
                    next.Add(child);
                }
            }
        }

        return next;
    }

    private long Deliveries(List<int> level)
    {
        var sum = 0L;
        foreach (var node in level)
        {
            sum += _targetCount[node];
        }

        return sum;
    }

    private int Find(string id) => _nodes.TryGetValue(Ids.Hash(id), out var node) ? node : None;

    private string IdOf(int node) => new(_ids, _idAt[node], _idLength[node]);

    private int NodeOf(string id)
    {
        ref var held = ref _nodes.GetValueRefOrAddDefault(Ids.Hash(id), out var exists);
        if (exists)
        {
            return held;
        }

        var node = held = _count++;
        if (node == _known.Length)
        {
            var size = Math.Max(1024, node * 2);
            Array.Resize(ref _known, size);
            Array.Resize(ref _parent, size);
            Array.Resize(ref _firstChild, size);
            Array.Resize(ref _nextSibling, size);
            Array.Resize(ref _day, size);
            Array.Resize(ref _source, size);
            Array.Resize(ref _targetsAt, size);
            Array.Resize(ref _targetCount, size);
            Array.Resize(ref _idAt, size);
            Array.Resize(ref _idLength, size);
        }

        _parent[node] = _firstChild[node] = _nextSibling[node] = None;
        return node;
    }

    private int UnitNumber(string unit)
    {
        if (!_unitNumbers.TryGetValue(unit, out var number))
        {
            _unitNumbers[unit] = number = _units.Count;
            _units.Add(unit);
        }

        return number;
    }

    private static int Append(ref char[] buffer, ref int used, ReadOnlySpan<char> text)
    {
        EnsureRoom(ref buffer, used + text.Length);
        text.CopyTo(buffer.AsSpan(used));
        var at = used;
        used += text.Length;
        return at;
    }

    private static void EnsureRoom<T>(ref T[] buffer, int needed)
    {
        if (needed > buffer.Length)
        {
            Array.Resize(ref buffer, Math.Max(needed, buffer.Length * 2));
        }
    }
}

/// <summary>One depth of a cascade.</summary>
[GenerateSerializer, Immutable, Alias("Oversight.CascadeLayer")]
public sealed record CascadeLayer([property: Id(0)] int Depth, [property: Id(1)] int Events, [property: Id(2)] long Deliveries);
