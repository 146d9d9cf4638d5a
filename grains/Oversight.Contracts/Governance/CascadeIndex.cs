namespace Oversight.Governance;

/// <summary>
/// Directives and the events issued to carry them out (以文件落实文件, 层层加码): each event's
/// <c>causedBy</c> link, whatever order events arrive in (a child may come before its parent).
/// </summary>
public sealed class CascadeIndex
{
    private readonly Dictionary<string, Node> _nodes = new(StringComparer.Ordinal);

    /// <summary>Adds an event (a repeat changes nothing).</summary>
    public void Add(string id, string? causedBy, string source, string[] targets, int day)
    {
        var node = NodeOf(id);
        if (node.Known)
        {
            return;
        }

        node.Known = true;
        node.Parent = causedBy;
        node.Source = source;
        node.Targets = targets;
        node.Day = day;
        if (causedBy is not null && causedBy != id)
        {
            NodeOf(causedBy).Children.Add(id);
        }
    }

    /// <summary>True when some event names <paramref name="id"/> as its <c>causedBy</c>.</summary>
    public bool HasFollowers(string id) => _nodes.TryGetValue(id, out var n) && n.Children.Count > 0;

    /// <summary>True when the event is known.</summary>
    public bool Contains(string id) => _nodes.TryGetValue(id, out var n) && n.Known;

    /// <summary>The top of an event's chain: the known ancestor with no known parent (cycle-safe).</summary>
    public string TopOf(string id)
    {
        // Chains are short: walk without bookkeeping, and only track what was seen (to stop on a
        // cycle) once a chain turns out long.
        const int Short = 64;
        HashSet<string>? seen = null;
        var current = id;
        for (var steps = 0; _nodes.TryGetValue(current, out var n) && n.Parent is { } parent && Contains(parent); steps++)
        {
            if (steps >= Short && !(seen ??= new HashSet<string>(StringComparer.Ordinal)).Add(current))
            {
                break;
            }

            current = parent;
        }

        return current;
    }

    /// <summary>True when <paramref name="id"/> is a root directive: known and with no <c>causedBy</c>.</summary>
    public bool IsRoot(string id) => _nodes.TryGetValue(id, out var n) && n.Known && n.Parent is null;

    /// <summary>The source, targets and day of a known event.</summary>
    public (string Source, string[] Targets, int Day) Describe(string id)
    {
        var n = _nodes[id];
        return (n.Source, n.Targets, n.Day);
    }

    /// <summary>Events and deliveries per depth below <paramref name="root"/> (depth 0 is the root).</summary>
    public List<CascadeLayer> Layers(string root)
    {
        var layers = new List<CascadeLayer>();
        var seen = new HashSet<string>(StringComparer.Ordinal) { root };
        var level = new List<string> { root };
        while (level.Count > 0)
        {
            layers.Add(new CascadeLayer(layers.Count, level.Count, level.Sum(id => (long)_nodes[id].Targets.Length)));
            level = [.. level.SelectMany(id => _nodes[id].Children).Where(c => Contains(c) && seen.Add(c))];
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
        var seen = new HashSet<string>(StringComparer.Ordinal) { root };
        var level = new List<string> { root };
        for (var depth = 1; level.Count > 0; depth++)
        {
            var next = new List<string>();
            foreach (var id in level)
            {
                foreach (var child in _nodes[id].Children)
                {
                    if (Contains(child) && seen.Add(child))
                    {
                        next.Add(child);
                    }
                }
            }

            if (next.Count > limit)
            {
                return new CascadeLayer(depth, next.Count, next.Sum(id => (long)_nodes[id].Targets.Length));
            }

            level = next;
        }

        return null;
    }

    private Node NodeOf(string id)
    {
        if (!_nodes.TryGetValue(id, out var node))
        {
            _nodes[id] = node = new Node();
        }

        return node;
    }

    private sealed class Node
    {
        public bool Known { get; set; }

        public string? Parent { get; set; }

        public string Source { get; set; } = "";

        public string[] Targets { get; set; } = [];

        public int Day { get; set; }

        public List<string> Children { get; } = [];
    }
}

/// <summary>One depth of a cascade.</summary>
[GenerateSerializer, Immutable, Alias("Oversight.CascadeLayer")]
public sealed record CascadeLayer([property: Id(0)] int Depth, [property: Id(1)] int Events, [property: Id(2)] long Deliveries);
