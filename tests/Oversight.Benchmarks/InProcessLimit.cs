using System.Diagnostics;
using Oversight.Domain;

namespace Oversight.Benchmarks;

/// <summary>
/// The ceiling of this machine: the same counting rules folded in one thread in memory, no I/O,
/// no network: dedupe ids, count each event into its units' day buckets, roll every unit's change
/// up to all its ancestors.
/// </summary>
public static class InProcessLimit
{
    public static (double EventsPerSecond, long Counted, long RootReceived) Run(Workload workload, IReadOnlyList<BenchEvent> events)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
        var units = workload.Units;
        var stopwatch = Stopwatch.StartNew();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var subtree = new PeriodCounters[units.Count];
        for (var i = 0; i < subtree.Length; i++)
        {
            subtree[i] = new PeriodCounters();
        }

        var counted = 0L;
        var builders = new Dictionary<int, DayDeltaBuilder>();
        foreach (var e in events)
        {
            if (!seen.Add(e.Id))
            {
                continue;
            }

            counted++;
            var day = Period.LocalDay(e.OccurredAt, zone);
            builders.Clear();
            EventRules.Count((EventKind)e.Kind, day, e.Minutes, e.Days, e.Source, e.Targets, u => builders.TryGetValue(u, out var b) ? b : builders[u] = new DayDeltaBuilder());
            foreach (var (unit, builder) in builders)
            {
                var delta = builder.Build();
                for (var u = unit; u >= 0; u = units[u].Parent)
                {
                    subtree[u].Add(delta);
                }
            }
        }

        var rate = counted / stopwatch.Elapsed.TotalSeconds;
        var all = subtree[0].Sum(new PeriodRange(PeriodGranularity.Year, 1970, 9999));
        return (rate, counted, Enumerable.Range(0, EventKinds.Count).Sum(k => all[LoadCounters.Received((EventKind)k)]));
    }
}
