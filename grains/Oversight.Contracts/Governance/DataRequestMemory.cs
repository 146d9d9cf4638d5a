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
    // Made once a unit holds more than FlatMost requests: until then they are one array in
    // arrival order, each beside its item, and a check reads them all. Most units of the
    // benchmark's large tree are asked for one to three items, and the bins' dictionaries and
    // lists took about 1 KB a unit for what the array holds in a fifth of that.
    private Dictionary<string, Dictionary<int, List<Held>>>? _byItem;

    /// <summary>The most requests held in the flat array before they move to bins for good.</summary>
    public const int FlatMost = 32;
    private Flat[]? _flat;
    private int _flatCount;

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
    public IEnumerable<DataRequest> All => Requests.Select(p => p.Request.For(p.Item));

    /// <summary>Whether the requests have moved from the flat array to bins (for the tests).</summary>
    public bool InBins => _byItem is not null;

    /// <summary>
    /// Every request with its item, in the order of <see cref="All"/>: a checkpoint encodes the
    /// requests from here, without a record for each.
    /// </summary>
    internal IEnumerable<(string Item, Held Request)> Requests
    {
        get
        {
            if (_byItem is null)
            {
                for (var i = 0; i < _flatCount; i++)
                {
                    yield return (_flat![i].Item, _flat[i].Request);
                }

                yield break;
            }

            foreach (var (item, bins) in _byItem)
            {
                foreach (var bin in bins.Values)
                {
                    foreach (var held in bin)
                    {
                        yield return (item, held);
                    }
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
        // A repeat of the same event has the same day, so it is found in the window too. One
        // duplicate per event: the request against the first earlier request it repeats, and each
        // earlier-arrived request that it precedes against it (an event is held once per item).
        // Held requests are told apart by what they hold in place (day, the id's hash, the source
        // by reference, time): an id's string is read only when its hash matches.
        var check = new Check(request, Source(request.Source), windowDays, reported);
        if (_byItem is null)
        {
            for (var i = 0; i < _flatCount; i++)
            {
                ref readonly var other = ref _flat![i];
                if (string.Equals(other.Item, request.Item, StringComparison.Ordinal) && !check.Meet(other.Request))
                {
                    return [];
                }
            }
        }
        else if (_byItem.TryGetValue(request.Item, out var bins))
        {
            for (var bin = Bin(check.From); bin <= Bin(check.To); bin++)
            {
                if (!bins.TryGetValue(bin, out var held))
                {
                    continue;
                }

                foreach (var other in held)
                {
                    if (!check.Meet(other))
                    {
                        return [];
                    }
                }
            }
        }

        var value = new Held(request.EventId, check.IdHash, check.Source, request.Day, request.OccurredTicks);
        if (_byItem is null && _flatCount < FlatMost)
        {
            if (_flat is null || _flatCount == _flat.Length)
            {
                Array.Resize(ref _flat, _flat is null ? 2 : Math.Min(_flat.Length * 2, FlatMost));
            }

            _flat[_flatCount++] = new Flat(request.Item, value);
        }
        else
        {
            if (_byItem is null)
            {
                // More than the flat array holds: every request moves to bins, in arrival order.
                _byItem = new(StringComparer.Ordinal);
                for (var i = 0; i < _flatCount; i++)
                {
                    AddToBin(_flat![i].Item, _flat[i].Request);
                }

                _flat = null;
                _flatCount = 0;
            }

            AddToBin(request.Item, value);
        }

        _oldestDay = Math.Min(_oldestDay, request.Day);
        Changes++;
        var found = check.Found;
        if (check.First is { } earliest && reported?.Invoke(request.EventId) != true)
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

    private void AddToBin(string item, Held value)
    {
        if (!_byItem!.TryGetValue(item, out var bins))
        {
            _byItem[item] = bins = [];
        }

        if (bins.TryGetValue(Bin(value.Day), out var own))
        {
            own.Add(value);
        }
        else
        {
            bins.Add(Bin(value.Day), new List<Held>(4) { value });
        }
    }

    /// <summary>Forgets requests older than the horizon before <paramref name="latestDay"/>.</summary>
    public void Prune(int latestDay)
    {
        var cutoff = latestDay - HorizonDays;
        if (_oldestDay >= cutoff)
        {
            return;
        }

        _oldestDay = int.MaxValue;
        Changes++;
        if (_byItem is null)
        {
            // Kept in arrival order.
            var kept = 0;
            for (var i = 0; i < _flatCount; i++)
            {
                if (_flat![i].Request.Day >= cutoff)
                {
                    _oldestDay = Math.Min(_oldestDay, _flat[i].Request.Day);
                    _flat[kept++] = _flat[i];
                }
            }

            Array.Clear(_flat!, kept, _flatCount - kept);
            _flatCount = kept;
            return;
        }

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
            _listed ??= new string[2];
            for (var i = 0; i < _listedCount; i++)
            {
                if (string.Equals(_listed[i], source, StringComparison.Ordinal))
                {
                    return _listed[i];
                }
            }

            if (_listedCount < SourcesListed)
            {
                if (_listedCount == _listed.Length)
                {
                    Array.Resize(ref _listed, SourcesListed);
                }

                return _listed[_listedCount++] = source;
            }

            _sources = new(SourcesListed * 2, StringComparer.Ordinal);
            foreach (var listed in _listed!)
            {
                _sources[listed] = listed;
            }

            _listed = null;
        }

        ref var held = ref CollectionsMarshal.GetValueRefOrAddDefault(_sources, source, out _);
        return held ??= source;
    }

    /// <summary>A request in the flat array, beside its item.</summary>
    private readonly record struct Flat(string Item, Held Request);

    /// <summary>
    /// One request checked against those held of its item: what it meets decides the duplicates
    /// (the first earlier request it repeats, and the later ones it precedes).
    /// </summary>
    private struct Check
    {
        public readonly string Source;
        public readonly int IdHash;
        public readonly int From;
        public readonly int To;
        public Held? First;
        public List<Duplicate>? Found;
        private readonly DataRequest _request;
        private readonly Func<string, bool>? _reported;

        public Check(DataRequest request, string source, int windowDays, Func<string, bool>? reported)
        {
            _request = request;
            _reported = reported;
            Source = source;
            IdHash = string.GetHashCode(request.EventId, StringComparison.Ordinal);
            From = request.Day - windowDays;
            To = request.Day + windowDays;
        }

        /// <summary>Meets one held request of the item; false when it is this same event (held already).</summary>
        public bool Meet(in Held other)
        {
            if (other.Day < From || other.Day > To)
            {
                return true;
            }

            if (other.IdHash == IdHash && string.Equals(other.EventId, _request.EventId, StringComparison.Ordinal))
            {
                return false;
            }

            if (ReferenceEquals(other.Source, Source))
            {
                return true;
            }

            if (other.Precedes(_request))
            {
                if (First is not { } f || other.Precedes(f))
                {
                    First = other;
                }
            }
            else if (_reported?.Invoke(other.EventId) != true)
            {
                (Found ??= []).Add(new Duplicate(other.For(_request.Item), _request));
            }

            return true;
        }
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
