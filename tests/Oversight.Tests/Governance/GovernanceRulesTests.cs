using System.Globalization;
using Oversight.Domain;
using Oversight.Governance;
using Oversight.Grains;

namespace Oversight.Tests.Governance;

public sealed class GovernanceRulesTests
{
    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
    private static readonly int November = 2026 * 12 + 10;

    // 2026-11-16 00:00 Shanghai: exactly half of November has passed.
    private static readonly DateTimeOffset MidNovember = DateTimeOffset.Parse("2026-11-16T00:00:00+08:00", CultureInfo.InvariantCulture);

    private static Alert? Quota(long issued, long cap, DateTimeOffset now, int month = 0) =>
        QuotaRules.Evaluate("hq", EventKind.Document, PeriodGranularity.Month, month == 0 ? November : month, issued, cap, now, Shanghai, "d", ["s1"]);

    [Fact]
    public void ExactlyAtTheCapIsNotExceededButOneOverIs()
    {
        Assert.NotEqual(AlertTypes.QuotaExceeded, Quota(20, 20, MidNovember)?.Type);
        var over = Quota(21, 20, MidNovember)!;
        Assert.Equal(AlertTypes.QuotaExceeded, over.Type);
        Assert.Equal("quotaExceeded:hq:document:2026-11", over.Id);
        Assert.Equal("2026-11", over.Period);
        Assert.Contains("21", over.Detail, StringComparison.Ordinal);
        Assert.Contains("超过上限 20", over.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void TheTrendFiresWhenThePaceProjectsPastTheCap()
    {
        // Half the month gone: 10 issued projects 20 (not over a cap of 20); 11 projects 22.
        Assert.Null(Quota(10, 20, MidNovember));
        var trend = Quota(11, 20, MidNovember)!;
        Assert.Equal(AlertTypes.QuotaTrend, trend.Type);
        Assert.Contains("预计 22", trend.Detail, StringComparison.Ordinal);
        Assert.Contains("projected 22", trend.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void APastPeriodCanExceedButNeverTrend()
    {
        Assert.Null(Quota(19, 20, MidNovember, month: November - 1));
        Assert.Equal(AlertTypes.QuotaExceeded, Quota(21, 20, MidNovember, month: November - 1)!.Type);
        Assert.Equal(0.5, QuotaRules.ElapsedFraction(PeriodGranularity.Month, November, MidNovember, Shanghai), 6);
    }

    private static DataRequest Ask(string id, string source, int day, string item = "headcount") =>
        new(id, source, item, day, DateOnly.FromDayNumber(day).ToDateTime(TimeOnly.MinValue).Ticks);

    [Fact]
    public void TheSameItemFromAnotherSourceWithinTheWindowIsADuplicate()
    {
        var memory = new DataRequestMemory();
        const int day = 740_000;
        Assert.Empty(memory.Add(Ask("r1", "hr", day), 30));
        Assert.Empty(memory.Add(Ask("r2", "hr", day + 1), 30));
        Assert.Empty(memory.Add(Ask("r3", "finance", day + 1, "safety-ledger"), 30));
        var dup = Assert.Single(memory.Add(Ask("r4", "finance", day + 30), 30));
        Assert.Equal("r4", dup.Later.EventId);
        Assert.Empty(memory.Add(Ask("r5", "audit", day + 62), 30));
    }

    [Fact]
    public void TheThirtyFirstDayIsOutsideTheWindow()
    {
        var memory = new DataRequestMemory();
        Assert.Empty(memory.Add(Ask("r1", "hr", 740_000), 30));
        Assert.Empty(memory.Add(Ask("r2", "finance", 740_031), 30));
    }

    [Theory]
    [InlineData(DataRequestMemory.HorizonDays, 1, 40)]
    [InlineData(DataRequestMemory.HorizonDays + 1, 0, 40)]
    [InlineData(DataRequestMemory.HorizonDays, 1, 20)]
    [InlineData(DataRequestMemory.HorizonDays + 1, 0, 20)]
    public void RequestsOlderThanTheHorizonAreForgotten(int daysLater, int kept, int days)
    {
        // Forty requests are held in bins, twenty in the flat array.
        var memory = new DataRequestMemory();
        for (var day = 740_000; day < 740_000 + days; day++)
        {
            Assert.Empty(memory.Add(Ask($"hr-{day}", "hr", day), 30));
        }

        Assert.Equal(days > DataRequestMemory.FlatMost, memory.InBins);

        // The horizon counts back from the latest day: only the last day survives at exactly the horizon.
        memory.Prune(740_000 + days - 1 + daysLater);
        Assert.Equal(kept, memory.All.Count());
        Assert.Equal(kept, memory.Add(Ask("late", "finance", 740_000 + days - 1), 0).Count);
    }

    [Fact]
    public void TheCheckpointFormKeepsEveryRequestExactly()
    {
        DataRequest[] requests =
        [
            Ask("r1", "hr", 740_000), Ask("r2", "财务部", 740_001, "safety-ledger"), Ask("r3", "hr", 740_001, "safety-ledger"),
            new("r4-长的编号", "audit", "headcount", 0, -5), new("r5", "audit", "", 3_652_058, long.MaxValue),
        ];
        Assert.Equal(requests, DataRequestCodec.Decode(DataRequestCodec.Encode(requests)));

        // A unit's memory encodes to the same bytes as its requests listed, and back to all of them.
        var memory = new DataRequestMemory();
        Assert.Empty(DataRequestCodec.Encode(memory));
        foreach (var request in requests)
        {
            memory.Add(request, 30);
        }

        Assert.Equal(DataRequestCodec.Encode(memory.All), DataRequestCodec.Encode(memory));
        Assert.Equal(requests.OrderBy(r => r.EventId, StringComparer.Ordinal), DataRequestCodec.Decode(DataRequestCodec.Encode(memory)).OrderBy(r => r.EventId, StringComparer.Ordinal));
        Assert.Empty(DataRequestCodec.Encode([]));
        Assert.Empty(DataRequestCodec.Decode([]));
    }

    [Theory]
    [InlineData(1, 4, 3_000)]
    [InlineData(2, 4, 3_000)]
    [InlineData(3, 4, 3_000)]
    [InlineData(4, 30, 3_000)]
    [InlineData(5, 4, 30)]
    [InlineData(6, 3, 35)]
    public void DuplicatesAreWhatTheRuleSaysWhateverTheArrivalOrder(int seed, int sources, int count)
    {
        // The rule, brute force: a request duplicates each earlier request (by time, then id) of
        // the same item from another source within the window; one per later event, against the
        // earliest it repeats; a repeat of a held event changes nothing.
        var random = new Random(seed);
        var memory = new DataRequestMemory();
        // A second memory told that every third event was reported already: it holds the same and
        // answers the same, less the duplicates whose later request was reported.
        var told = new DataRequestMemory();
        static bool Reported(string eventId) => eventId.GetHashCode(StringComparison.Ordinal) % 3 == 0;
        var held = new List<DataRequest>();
        const int window = 30;
        static bool Before(DataRequest a, DataRequest b) => a.OccurredTicks != b.OccurredTicks ? a.OccurredTicks < b.OccurredTicks : string.CompareOrdinal(a.EventId, b.EventId) < 0;
        for (var i = 0; i < count; i++)
        {
            var request = random.Next(10) == 0 && held.Count > 0
                ? held[random.Next(held.Count)]
                : new DataRequest($"e{i}", $"s{random.Next(sources)}", $"item{random.Next(3)}", 740_000 + random.Next(200), random.Next(50));
            List<Duplicate> expected;
            if (held.Any(h => h.Item == request.Item && h.EventId == request.EventId))
            {
                expected = [];
            }
            else
            {
                var pairs = held.Where(h => h.Item == request.Item && h.Source != request.Source && Math.Abs(h.Day - request.Day) <= window)
                    .Select(h => Before(h, request) ? new Duplicate(request, h) : new Duplicate(h, request));
                expected = [.. pairs.GroupBy(d => d.Later.EventId)
                    .Select(g => g.Aggregate((x, y) => Before(y.Earlier, x.Earlier) ? y : x))
                    .OrderBy(d => d.Later.OccurredTicks).ThenBy(d => d.Later.EventId, StringComparer.Ordinal)];
                held.Add(request);
            }

            Assert.Equal(expected, memory.Add(request, window));
            Assert.Equal(expected.Where(d => !Reported(d.Later.EventId)), told.Add(request, window, Reported));
        }

        Assert.Equal(held.Count, memory.All.Count());
        Assert.Equal(DataRequestCodec.Encode(memory), DataRequestCodec.Encode(told));
        // A few requests are one flat array, read whole; more move to bins by item and day.
        Assert.Equal(held.Count > DataRequestMemory.FlatMost, memory.InBins);
        Assert.Equal(held.OrderBy(r => r.EventId, StringComparer.Ordinal).ThenBy(r => r.Item, StringComparer.Ordinal),
            DataRequestCodec.Decode(DataRequestCodec.Encode(memory)).OrderBy(r => r.EventId, StringComparer.Ordinal).ThenBy(r => r.Item, StringComparer.Ordinal));
    }

    [Fact]
    public void AnEarlierRequestArrivingLateMakesTheLaterOneTheDuplicate()
    {
        var memory = new DataRequestMemory();
        Assert.Empty(memory.Add(Ask("late", "finance", 740_010), 30));
        var dup = Assert.Single(memory.Add(Ask("early", "hr", 740_000), 30));
        Assert.Equal("late", dup.Later.EventId);
        Assert.Equal("early", dup.Earlier.EventId);
        Assert.Empty(memory.Add(Ask("early", "hr", 740_000), 30));
    }

    [Fact]
    public void CascadeLayersAreTheSameWhateverTheArrivalOrder()
    {
        var inOrder = new CascadeIndex();
        var reversed = new CascadeIndex();
        var events = new (string Id, string? CausedBy, int Targets)[] { ("root", null, 2), ("a", "root", 3), ("b", "root", 1), ("a1", "a", 4) };
        foreach (var (id, causedBy, targets) in events)
        {
            inOrder.Add(id, causedBy, "hq", [.. Enumerable.Range(0, targets).Select(i => $"u{i}")], 1);
        }

        foreach (var (id, causedBy, targets) in events.Reverse())
        {
            reversed.Add(id, causedBy, "hq", [.. Enumerable.Range(0, targets).Select(i => $"u{i}")], 1);
        }

        foreach (var index in new[] { inOrder, reversed })
        {
            Assert.Equal("root", index.TopOf("a1"));
            Assert.True(index.IsRoot("root"));
            Assert.Equal([new CascadeLayer(0, 1, 2), new CascadeLayer(1, 2, 4), new CascadeLayer(2, 1, 4)], index.Layers("root"));
        }
    }

    [Fact]
    public void TheFirstLayerOverTheLimitIsFoundWithoutWalkingFurther()
    {
        var index = new CascadeIndex();
        index.Add("root", null, "hq", ["s1"], 1);
        foreach (var i in Enumerable.Range(0, 2))
        {
            index.Add($"a{i}", "root", "s1", ["s1a", "s1b"], 1);
        }

        foreach (var i in Enumerable.Range(0, 4))
        {
            index.Add($"b{i}", $"a{i % 2}", "s1a", ["x"], 1);
        }

        Assert.Null(index.FirstLayerOver("root", 4));
        Assert.Equal(new CascadeLayer(2, 4, 4), index.FirstLayerOver("root", 3));
        Assert.Equal(new CascadeLayer(1, 2, 4), index.FirstLayerOver("root", 1));
        Assert.True(index.HasFollowers("a0"));
        Assert.False(index.HasFollowers("b0"));
    }

    [Fact]
    public void ALongCycleOfLinksEndsTheWalk()
    {
        var index = new CascadeIndex();
        for (var i = 0; i < 100; i++)
        {
            index.Add($"e{i}", $"e{(i + 1) % 100}", "hq", ["s1"], 1);
        }

        Assert.StartsWith("e", index.TopOf("e0"), StringComparison.Ordinal);
        Assert.False(index.IsRoot(index.TopOf("e0")));
    }

    [Fact]
    public void AChildWithoutItsParentHasNoRootYet()
    {
        var index = new CascadeIndex();
        index.Add("child", "missing", "s1", ["a"], 1);
        Assert.Equal("child", index.TopOf("child"));
        Assert.False(index.IsRoot("child"));
    }

    [Theory]
    [InlineData(23.9, true)]
    [InlineData(24.0, false)]
    public void DeadlinesUnderTwentyFourHoursAreShort(double hours, bool alert)
    {
        var e = new LoggedEvent { Id = "q", Kind = EventKind.DataRequest, Source = "hq", Targets = ["s1"], Day = 740_000, OccurredAt = MidNovember, DeadlineHours = hours };
        var alerts = EventAlerts.For(e, new AlertSettings("Asia/Shanghai"), MidNovember).ToList();
        Assert.Equal(alert, alerts.Any(a => a.Type == AlertTypes.ShortDeadline));
    }

    [Fact]
    public void AnUnplannedInspectionAlertsOnce()
    {
        var e = new LoggedEvent { Id = "i", Kind = EventKind.Inspection, Source = "hq", Targets = ["s1", "s2"], Day = 740_000, OccurredAt = MidNovember, Planned = false, InspectionDays = 2 };
        var alert = Assert.Single(EventAlerts.For(e, new AlertSettings("Asia/Shanghai"), MidNovember));
        Assert.Equal("unplannedInspection:i", alert.Id);
        Assert.Equal(["s1", "s2"], alert.Affected);
        Assert.Empty(EventAlerts.For(e with { Planned = true }, new AlertSettings("Asia/Shanghai"), MidNovember));
    }
}
