using System.Runtime.InteropServices;

namespace Oversight.Governance;

/// <summary>
/// What one target unit has been asked for (多头报): per data item, who asked and on which local
/// day. A request is a duplicate when a different source asked the same target for the same item
/// within the window before it (ordered by time, then id, whatever order they arrive in). Memory is
/// bounded by the items, sources and days inside the retention horizon, never by all events.
/// </summary>
public sealed class DataRequestMemory
{
    /// <summary>Days of requests kept (the longest window anyone may configure is far below).</summary>
    public const int HorizonDays = 400;

    /// <summary>Days per bin: a check reads the two or three bins its window overlaps.</summary>
    private const int BinDays = 32;

    // Per data item, the requests in bins of BinDays days, each bin in arrival order and as plain
    // values: a check reads only the bins its window overlaps, recording a request appends to one
    // bin (a day-ordered list per item shifted half of it on every insert, 3% of ingest CPU), and
    // a unit holds two objects per item and bin rather than one or more per request.
    // Made with the first request: most units of a large tree are never asked for data.
    private Dictionary<string, Dictionary<int, List<Held>>>? _byItem;

    // One string per source held, so that a check tells sources apart by reference: comparing
    // them by value read each held request's source string (a cache miss per request in the
    // window), and each batch's decoding made its own copy of a unit's id for the requests to keep.
    // A unit is asked by few sources (its ancestors, mostly): they are listed and searched until
    // there are more than SourcesListed, then kept in a dictionary.
    private const int SourcesListed = 8;
    private string[]? _listed;
    private int _listedCount;
    private Dictionary<string, string>? _sources;
    private int _oldestDay = int.MaxValue;

    /// <summary>Counts changes to what is held (a checkpoint re-encodes it only when this moved).</summary>
    public long Changes { get; private set; }

    /// <summary>Every request held.</summary>
    public IEnumerable<DataRequest> All => Bins.SelectMany(p => p.Bin.Select(h => h.For(p.Item)));

    /// <summary>
    /// Every bin with its item, in the order of <see cref="All"/>: a checkpoint encodes the
    /// requests from here, without a record for each.
    /// </summary>
    internal IEnumerable<(string Item, List<Held> Bin)> Bins
    {
        get
        {
            foreach (var (item, bins) in _byItem ?? [])
            {
                foreach (var bin in bins.Values)
                {
                    yield return (item, bin);
                }
            }
        }
    }

    /// <summary>
    /// Records a request and returns the duplicates it reveals: the new request itself when an
    /// earlier one from another source is within the window, or earlier-arrived later requests
    /// that it precedes. A later request that <paramref name="reported"/> says was reported
    /// already is left out of the answer (what is held is the same either way): a unit asks
    /// whether it raised that event's alert before, so that a request it has reported is not
    /// made into a duplicate again each time an earlier one arrives.
    /// </summary>
    public List<Duplicate> Add(DataRequest request, int windowDays, Func<string, bool>? reported = null)
    {
        _byItem ??= new(StringComparer.Ordinal);
        if (!_byItem.TryGetValue(request.Item, out var bins))
        {
            _byItem[request.Item] = bins = [];
        }

        // A repeat of the same event has the same day, so it is found in the window too. One
        // duplicate per event: the request against the first earlier request it repeats, and each
        // earlier-arrived request that it precedes against it (an event is held once per item).
        // Held requests are told apart by what they hold in place (day, the id's hash, the source
        // by reference, time): an id's string is read only when its hash matches.
        Held? first = null;
        List<Duplicate>? found = null;
        var source = Source(request.Source);
        var idHash = string.GetHashCode(request.EventId, StringComparison.Ordinal);
        int from = request.Day - windowDays, to = request.Day + windowDays;
        for (var bin = Bin(from); bin <= Bin(to); bin++)
        {
            if (!bins.TryGetValue(bin, out var held))
            {
                continue;
            }

            foreach (var other in held)
            {
                if (other.Day < from || other.Day > to)
                {
                    continue;
                }

                if (other.IdHash == idHash && string.Equals(other.EventId, request.EventId, StringComparison.Ordinal))
                {
                    return [];
                }

                if (ReferenceEquals(other.Source, source))
                {
                    continue;
                }

                if (other.Precedes(request))
                {
                    if (first is not { } f || other.Precedes(f))
                    {
                        first = other;
                    }
                }
                else if (reported?.Invoke(other.EventId) != true)
                {
                    (found ??= []).Add(new Duplicate(other.For(request.Item), request));
                }
            }
        }

        var value = new Held(request.EventId, idHash, source, request.Day, request.OccurredTicks);
        if (bins.TryGetValue(Bin(request.Day), out var own))
        {
            own.Add(value);
        }
        else
        {
            bins.Add(Bin(request.Day), new List<Held>(4) { value });
        }

        _oldestDay = Math.Min(_oldestDay, request.Day);
        Changes++;
        if (first is { } earliest && reported?.Invoke(request.EventId) != true)
        {
            (found ??= []).Add(new Duplicate(request, earliest.For(request.Item)));
        }

        if (found is null)
        {
            return [];
        }

        // In time order of the later request (then id).
        if (found.Count > 1)
        {
            found.Sort(static (x, y) => x.Later.OccurredTicks != y.Later.OccurredTicks
                ? x.Later.OccurredTicks.CompareTo(y.Later.OccurredTicks)
                : string.CompareOrdinal(x.Later.EventId, y.Later.EventId));
        }

        return found;
    }

    /// <summary>Forgets requests older than the horizon before <paramref name="latestDay"/>.</summary>
    public void Prune(int latestDay)
    {
        var cutoff = latestDay - HorizonDays;
        if (_byItem is null || _oldestDay >= cutoff)
        {
            return;
        }

        _oldestDay = int.MaxValue;
        Changes++;
        foreach (var (item, bins) in _byItem)
        {
            foreach (var (bin, held) in bins)
            {
                if (bin < Bin(cutoff))
                {
                    bins.Remove(bin);
                    continue;
                }

                if (bin == Bin(cutoff))
                {
                    held.RemoveAll(r => r.Day < cutoff);
                }

                foreach (var r in held)
                {
                    _oldestDay = Math.Min(_oldestDay, r.Day);
                }
            }

            if (bins.Count == 0)
            {
                _byItem.Remove(item);
            }
        }
    }

    private static int Bin(int day) => day >= 0 ? day / BinDays : ((day + 1) / BinDays) - 1;

    /// <summary>The one string held for <paramref name="source"/>.</summary>
    private string Source(string source)
    {
        if (_sources is null)
        {
            _listed ??= new string[SourcesListed];
            for (var i = 0; i < _listedCount; i++)
            {
                if (string.Equals(_listed[i], source, StringComparison.Ordinal))
                {
                    return _listed[i];
                }
            }

            if (_listedCount < SourcesListed)
            {
                return _listed[_listedCount++] = source;
            }

            _sources = new(SourcesListed * 2, StringComparer.Ordinal);
            foreach (var listed in _listed)
            {
                _sources[listed] = listed;
            }

            _listed = null;
        }

        ref var held = ref CollectionsMarshal.GetValueRefOrAddDefault(_sources, source, out _);
        return held ??= source;
    }

    /// <summary>
    /// A request as held under its item, with its id's hash (where padding was: 32 bytes either
    /// way). The hash is this process's own and is never written.
    /// </summary>
    internal readonly record struct Held(string EventId, int IdHash, string Source, int Day, long OccurredTicks)
    {
        public DataRequest For(string item) => new(EventId, Source, item, Day, OccurredTicks);

        /// <summary>True when this request came before <paramref name="other"/> (by time, then id).</summary>
        public bool Precedes(Held other) =>
            OccurredTicks != other.OccurredTicks ? OccurredTicks < other.OccurredTicks : string.CompareOrdinal(EventId, other.EventId) < 0;

        /// <summary>True when this request came before <paramref name="other"/> (by time, then id).</summary>
        public bool Precedes(DataRequest other) =>
            OccurredTicks != other.OccurredTicks ? OccurredTicks < other.OccurredTicks : string.CompareOrdinal(EventId, other.EventId) < 0;
    }
}

/// <summary>One data item asked of a unit.</summary>
[GenerateSerializer, Immutable, Alias("Oversight.DataRequest")]
public sealed record DataRequest(
    [property: Id(0)] string EventId,
    [property: Id(1)] string Source,
    [property: Id(2)] string Item,
    [property: Id(3)] int Day,
    [property: Id(4)] long OccurredTicks);

/// <summary>A request that asked again what <see cref="Earlier"/> already asked.</summary>
public sealed record Duplicate(DataRequest Later, DataRequest Earlier);
