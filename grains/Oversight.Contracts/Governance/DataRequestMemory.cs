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

    // Per data item, the requests ordered by day (arrival order within a day), as plain values:
    // a check reads only the run of days its window covers (found by binary search), and a unit
    // holds two objects per item it was asked for rather than several per request.
    private readonly Dictionary<string, List<Held>> _byItem = new(StringComparer.Ordinal);
    private int _oldestDay = int.MaxValue;

    /// <summary>Counts changes to what is held (a checkpoint re-encodes it only when this moved).</summary>
    public long Changes { get; private set; }

    /// <summary>Every request held, for a checkpoint.</summary>
    public IEnumerable<DataRequest> All => _byItem.SelectMany(p => p.Value.Select(h => h.For(p.Key)));

    /// <summary>
    /// Records a request and returns the duplicates it reveals: the new request itself when an
    /// earlier one from another source is within the window, or earlier-arrived later requests
    /// that it precedes.
    /// </summary>
    public List<Duplicate> Add(DataRequest request, int windowDays)
    {
        if (!_byItem.TryGetValue(request.Item, out var held))
        {
            _byItem[request.Item] = held = new List<Held>(4);
        }

        // A repeat of the same event has the same day, so it is found in the window too.
        List<Duplicate>? found = null;
        int from = request.Day - windowDays, to = request.Day + windowDays;
        for (var i = FirstFrom(held, from); i < held.Count && held[i].Day <= to; i++)
        {
            var other = held[i];
            if (string.Equals(other.EventId, request.EventId, StringComparison.Ordinal))
            {
                return [];
            }

            if (!string.Equals(other.Source, request.Source, StringComparison.Ordinal))
            {
                var earlierHeld = other.Precedes(request);
                var otherRequest = other.For(request.Item);
                (found ??= []).Add(earlierHeld ? new Duplicate(request, otherRequest) : new Duplicate(otherRequest, request));
            }
        }

        held.Insert(FirstFrom(held, request.Day + 1), new Held(request.EventId, request.Source, request.Day, request.OccurredTicks));
        _oldestDay = Math.Min(_oldestDay, request.Day);
        Changes++;
        if (found is null)
        {
            return [];
        }

        // One per event (and target): against the first request it repeats; in time order.
        return [.. found.GroupBy(d => d.Later.EventId)
            .Select(g => g.MinBy(d => (d.Earlier.OccurredTicks, d.Earlier.EventId))!)
            .OrderBy(d => d.Later.OccurredTicks).ThenBy(d => d.Later.EventId, StringComparer.Ordinal)];
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
        foreach (var (item, held) in _byItem)
        {
            held.RemoveRange(0, FirstFrom(held, cutoff));
            if (held.Count == 0)
            {
                _byItem.Remove(item);
            }
            else
            {
                _oldestDay = Math.Min(_oldestDay, held[0].Day);
            }
        }
    }

    /// <summary>The index of the first request on or after <paramref name="day"/>.</summary>
    private static int FirstFrom(List<Held> held, int day)
    {
        int lo = 0, hi = held.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (held[mid].Day < day)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>A request as held under its item.</summary>
    private readonly record struct Held(string EventId, string Source, int Day, long OccurredTicks)
    {
        public DataRequest For(string item) => new(EventId, Source, item, Day, OccurredTicks);

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
