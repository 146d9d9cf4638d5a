using Oversight.Domain;

namespace Oversight.Governance;

/// <summary>
/// Directives and the events issued to carry them out (以文件落实文件, 层层加码): each event's
/// <c>causedBy</c> link, whatever order events arrive in (a child may come before its parent).
/// <para>
/// It holds every event of the retention window, so it is kept flat: one node per event id, a
/// struct (parent, first child, next sibling, day, source, where its id and targets are) in
/// chunks of 1,024, ids and targets in shared chunked stores, units by number. A million events
/// are a few thousand arrays without references to the collector, not millions of small objects
/// that every collection would have to trace, and growing never makes a large array.
/// </para>
/// </summary>
public sealed class CascadeIndex
{
    private const int None = -1;

    private readonly IdMap<int> _nodes = new();
    private readonly Dictionary<string, int> _unitNumbers = new(StringComparer.Ordinal);
    private readonly List<string> _units = [];

    // One entry per node, in chunks of NodeChunk (below the large-object heap; eleven arrays
    // doubling to millions of nodes were large allocations, and those start full collections). A
    // node is "known" once its event was added; until then it only collects the children that
    // name it.
    private const int NodeChunk = 1024;
    private const int NodeShift = 10;
    private Node[][] _chunks = [];
    private int _count;

    private readonly ChunkedStore<char> _ids = new();
    private readonly ChunkedStore<int> _targets = new();

    /// <summary>Adds an event (a repeat changes nothing).</summary>
    public void Add(string id, string? causedBy, string source, string[] targets, int day) => AddNode(id, Ids.Hash(id), causedBy, source, targets, day);

    /// <summary>
    /// Adds a batch of events and returns the tops of the chains they are part of (each once): the
    /// only directives the batch can have amplified. Events with no link and no followers yet are
    /// in no chain. Each event's id is looked up once.
    /// </summary>
    public IReadOnlyCollection<string> AddAll(IReadOnlyList<Grains.LoggedEvent> events)
    {
        var hashes = new UInt128[events.Count];
        for (var i = 0; i < hashes.Length; i++)
        {
            hashes[i] = Ids.Hash(events[i].Id);
        }

        _nodes.Touch(hashes);
        var nodes = new int[events.Count];
        for (var i = 0; i < nodes.Length; i++)
        {
            var e = events[i];
            nodes[i] = AddNode(e.Id, hashes[i], e.CausedBy, e.Source, e.Targets, e.Day);
        }

        // After the whole batch: a later event of it may follow an earlier one.
        HashSet<int>? tops = null;
        foreach (var node in nodes)
        {
            if (N(node).Parent != None || N(node).FirstChild != None)
            {
                (tops ??= []).Add(TopNode(node));
            }
        }

        return tops is null ? [] : [.. tops.Select(IdOf)];
    }

    private int AddNode(string id, UInt128 hash, string? causedBy, string source, string[] targets, int day)
    {
        var node = NodeOf(hash);
        ref var n = ref N(node);
        if (n.Known)
        {
            return node;
        }

        n.Known = true;
        n.Day = day;
        n.Source = UnitNumber(source);
        n.IdAt = _ids.Append(id.AsSpan());
        n.IdLength = checked((byte)id.Length);
        n.TargetCount = targets.Length;
        Span<int> numbers = targets.Length <= 64 ? stackalloc int[targets.Length] : new int[targets.Length];
        for (var i = 0; i < targets.Length; i++)
        {
            numbers[i] = UnitNumber(targets[i]);
        }

        n.TargetsAt = _targets.Append(numbers);
        if (causedBy is null)
        {
            return node;
        }

        if (causedBy == id)
        {
            n.Parent = node;
            return node;
        }

        // A new parent node may add a chunk; chunks never move, so n stays valid.
        var parent = NodeOf(Ids.Hash(causedBy));
        n.Parent = parent;
        n.NextSibling = N(parent).FirstChild;
        N(parent).FirstChild = node;
        return node;
    }

    /// <summary>True when some event names <paramref name="id"/> as its <c>causedBy</c>.</summary>
    public bool HasFollowers(string id) => Find(id) is var n && n != None && N(n).FirstChild != None;

    /// <summary>True when the event is known.</summary>
    public bool Contains(string id) => Find(id) is var n && n != None && N(n).Known;

    /// <summary>The top of an event's chain: the known ancestor with no known parent (cycle-safe).</summary>
    public string TopOf(string id)
    {
        var node = Find(id);
        return node == None || !N(node).Known ? id : IdOf(TopNode(node));
    }

    /// <summary>The top of a known node's chain (cycle-safe).</summary>
    private int TopNode(int node)
    {
        // Chains are short: walk without bookkeeping, and only track what was seen (to stop on a
        // cycle) once a chain turns out long.
        const int Short = 64;
        HashSet<int>? seen = null;
        for (var steps = 0; N(node).Parent is var parent && parent != None && N(parent).Known; steps++)
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
    public bool IsRoot(string id) => Find(id) is var n && n != None && N(n).Known && N(n).Parent == None;

    /// <summary>The source, targets and day of a known event.</summary>
    public (string Source, string[] Targets, int Day) Describe(string id)
    {
        var n = Find(id);
        if (n == None || !N(n).Known)
        {
            throw new KeyNotFoundException($"Event {id} is not in the cascade index.");
        }

        var numbers = _targets.Get(N(n).TargetsAt, N(n).TargetCount);
        var targets = new string[numbers.Length];
        for (var i = 0; i < targets.Length; i++)
        {
            targets[i] = _units[numbers[i]];
        }

        return (_units[N(n).Source], targets, N(n).Day);
    }

    /// <summary>Events and deliveries per depth below <paramref name="root"/> (depth 0 is the root).</summary>
    public List<CascadeLayer> Layers(string root)
    {
        var layers = new List<CascadeLayer>();
        var top = Find(root);
        if (top == None || !N(top).Known)
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
        if (top == None || !N(top).Known)
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
            for (var child = N(node).FirstChild; child != None; child = N(child).NextSibling)
            {
                if (N(child).Known && seen.Add(child))
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
            sum += N(node).TargetCount;
        }

        return sum;
    }

    private int Find(string id) => _nodes.TryGetValue(Ids.Hash(id), out var node) ? node : None;

    private string IdOf(int node) => new(_ids.Get(N(node).IdAt, N(node).IdLength));

    private ref Node N(int node) => ref _chunks[node >> NodeShift][node & (NodeChunk - 1)];

    private int NodeOf(UInt128 hash)
    {
        ref var held = ref _nodes.GetValueRefOrAddDefault(hash, out var exists);
        if (exists)
        {
            return held;
        }

        var node = held = _count++;
        if ((node & (NodeChunk - 1)) == 0)
        {
            var chunk = node >> NodeShift;
            if (chunk == _chunks.Length)
            {
                Array.Resize(ref _chunks, Math.Max(4, chunk * 2));
            }

            _chunks[chunk] = new Node[NodeChunk];
        }

        ref var n = ref N(node);
        n.Parent = n.FirstChild = n.NextSibling = None;
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

    /// <summary>One event id's place in the index.</summary>
    private struct Node
    {
        public bool Known;
        public byte IdLength;
        public int Parent;
        public int FirstChild;
        public int NextSibling;
        public int Day;
        public int Source;
        public int TargetsAt;
        public int TargetCount;
        public int IdAt;
    }
}

/// <summary>One depth of a cascade.</summary>
[GenerateSerializer, Immutable, Alias("Oversight.CascadeLayer")]
public sealed record CascadeLayer([property: Id(0)] int Depth, [property: Id(1)] int Events, [property: Id(2)] long Deliveries);
