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

    private readonly Dictionary<string, List<DataRequest>> _byItem = new(StringComparer.Ordinal);
    private int _oldestDay = int.MaxValue;

    /// <summary>Every request held, for a checkpoint.</summary>
    public IEnumerable<DataRequest> All => _byItem.Values.SelectMany(l => l);

    /// <summary>
    /// Records a request and returns the duplicates it reveals: the new request itself when an
    /// earlier one from another source is within the window, or earlier-arrived later requests
    /// that it precedes.
    /// </summary>
    public List<Duplicate> Add(DataRequest request, int windowDays)
    {
        if (!_byItem.TryGetValue(request.Item, out var list))
        {
            _byItem[request.Item] = list = [];
        }

        // Each item's requests are kept in day order, so only the window around the day is read;
        // a repeat of the same event has the same day, so it is found there too.
        List<Duplicate>? found = null;
        var from = FirstOnOrAfter(list, request.Day - windowDays);
        for (var at = from; at < list.Count && list[at].Day <= request.Day + windowDays; at++)
        {
            var other = list[at];
            if (string.Equals(other.EventId, request.EventId, StringComparison.Ordinal))
            {
                return [];
            }

            if (!string.Equals(other.Source, request.Source, StringComparison.Ordinal))
            {
                var (earlier, later) = Precedes(other, request) ? (other, request) : (request, other);
                (found ??= []).Add(new Duplicate(later, earlier));
            }
        }

        list.Insert(FirstOnOrAfter(list, request.Day + 1, from), request);
        _oldestDay = Math.Min(_oldestDay, request.Day);
        if (found is null)
        {
            return [];
        }

        // One per event (and target): against the first request it repeats.
        return [.. found.GroupBy(d => d.Later.EventId).Select(g => g.MinBy(d => (d.Earlier.OccurredTicks, d.Earlier.EventId))!)];
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
        foreach (var list in _byItem.Values)
        {
            list.RemoveRange(0, FirstOnOrAfter(list, cutoff));
            if (list.Count > 0)
            {
                _oldestDay = Math.Min(_oldestDay, list[0].Day);
            }
        }
    }

    /// <summary>The index of the first request on or after <paramref name="day"/> in a day-ordered list.</summary>
    private static int FirstOnOrAfter(List<DataRequest> list, int day, int from = 0)
    {
        int lo = from, hi = list.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (list[mid].Day < day)
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

    private static bool Precedes(DataRequest a, DataRequest b) =>
        a.OccurredTicks != b.OccurredTicks ? a.OccurredTicks < b.OccurredTicks : string.CompareOrdinal(a.EventId, b.EventId) < 0;
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
