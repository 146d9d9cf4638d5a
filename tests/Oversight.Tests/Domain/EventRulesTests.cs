using System.Globalization;
using Oversight.Domain;

namespace Oversight.Tests.Domain;

public sealed class EventRulesTests
{
    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-11-24T10:00:00+08:00", CultureInfo.InvariantCulture);

    private static EventInput Doc(string id = "HQ-2026/012", string source = "hq", params string[] targets) => new()
    {
        Id = id,
        Kind = "document",
        Source = source,
        Targets = targets.Length == 0 ? ["s1", "s2"] : targets,
        OccurredAt = "2026-11-20T09:00:00+08:00",
    };

    private static (ValidatedEvent? Event, EventRejection? Rejection) Check(EventInput e, string? scope = null)
    {
        var tree = TreeFixtures.Group();
        int? s = scope is null ? null : tree.TryGetIndex(scope, out var i) ? i : throw new ArgumentException(scope);
        var ok = EventRules.Validate(e, tree, Shanghai, Now, s, out var rejection);
        return (ok, rejection);
    }

    [Fact]
    public void ATargetNamedTwiceCountsOnce()
    {
        var (e, _) = Check(Doc(targets: ["s1", "s1", "s2"]));
        Assert.NotNull(e);
        Assert.Equal(2, e.Targets.Length);
    }

    [Fact]
    public void ALongTargetListKeepsEachUnitOnceInFirstSeenOrder()
    {
        // Past 64 names the repeats are found with a set, below with a scan: both keep first-seen order.
        var names = Enumerable.Range(0, 70).Select(i => (i % 3) switch { 0 => "s2", 1 => "s1a", _ => "s1" }).ToArray();
        var tree = TreeFixtures.Group();
        foreach (var targets in new[] { names, names[..6] })
        {
            var (e, _) = Check(Doc(targets: targets));
            Assert.Equal(["s2", "s1a", "s1"], e!.Targets.Select(t => tree.Units[t].Id));
        }
    }

    [Fact]
    public void CountingAddsReceivedPerTargetAndIssuedForTheSource()
    {
        var input = new EventInput { Id = "m1", Kind = "meeting", Source = "s1", Targets = ["s1a", "s1b", "s1"], OccurredAt = "2026-11-20T09:00:00+08:00", DurationMinutes = 45 };
        var (e, _) = Check(input);
        var buckets = new Dictionary<int, DayDeltaBuilder>();
        EventRules.Count(e!.Kind, e.Day, e.MeetingMinutes, e.InspectionDays, e.Source, e.Targets, u => buckets.TryGetValue(u, out var b) ? b : buckets[u] = new DayDeltaBuilder());
        var tree = TreeFixtures.Group();
        tree.TryGetIndex("s1", out var s1);
        tree.TryGetIndex("s1a", out var s1a);
        var own = new PeriodCounters();
        own.Add(buckets[s1].Build());
        var range = new PeriodRange(PeriodGranularity.Month, 2026 * 12 + 10, 2026 * 12 + 10);
        var v = own.Sum(range);
        Assert.Equal(1, v[LoadCounters.Received(EventKind.Meeting)]);
        Assert.Equal(1, v[LoadCounters.Issued(EventKind.Meeting)]);
        Assert.Equal(45, v[LoadCounters.MeetingMinutes]);
        var leaf = new PeriodCounters();
        leaf.Add(buckets[s1a].Build());
        Assert.Equal(0, leaf.Sum(range)[LoadCounters.Issued(EventKind.Meeting)]);
        Assert.Equal(45, leaf.Sum(range)[LoadCounters.MeetingMinutes]);
    }

    [Fact]
    public void InspectionsDefaultToOneDay()
    {
        var (e, _) = Check(new EventInput { Id = "i1", Kind = "inspection", Source = "hq", Targets = ["s2"], OccurredAt = "2026-11-20T09:00:00Z" });
        Assert.Equal(1, e!.InspectionDays);
        Assert.True(e.Planned);
    }

    [Theory]
    [InlineData("meeting", null, "invalidEvent")]
    [InlineData("meeting", 0L, "invalidEvent")]
    [InlineData("meeting", 1441L, "invalidEvent")]
    [InlineData("meeting", 1440L, null)]
    [InlineData("meeting", 1L, null)]
    public void MeetingsNeedADurationBetween1And1440(string kind, long? minutes, string? error)
    {
        var (_, rejection) = Check(new EventInput { Id = "x", Kind = kind, Source = "hq", Targets = ["s1"], OccurredAt = "2026-11-20T09:00:00Z", DurationMinutes = minutes });
        Assert.Equal(error, rejection?.Error);
    }

    [Theory]
    [InlineData("2026-11-20T09:00:00", "invalidEvent")]
    [InlineData("2026-11-20 09:00:00Z", "invalidEvent")]
    [InlineData("yesterday", "invalidEvent")]
    [InlineData("2026-11-25T09:59:59+08:00", null)]
    [InlineData("2026-11-25T10:00:01+08:00", "outOfRange")]
    [InlineData("2023-11-24T10:00:00+08:00", null)]
    [InlineData("2023-11-24T09:59:59+08:00", "outOfRange")]
    public void OccurredAtIsRfc3339WithinOneDayAheadAndThreeYearsBack(string occurredAt, string? error)
    {
        var input = Doc();
        input.OccurredAt = occurredAt;
        Assert.Equal(error, Check(input).Rejection?.Error);
    }

    [Fact]
    public void UnknownUnitsAreNamed()
    {
        var (_, rejection) = Check(Doc(targets: ["s1", "ghost"]));
        Assert.Equal("unknownUnit", rejection!.Error);
        Assert.Contains("ghost", rejection.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void AMemberMayRecordWhatItIssuedOrWhatItReceived()
    {
        Assert.Null(Check(Doc(source: "s1", targets: ["s2"]), scope: "s1").Rejection);
        Assert.Null(Check(Doc(source: "hq", targets: ["s1a", "s1b"]), scope: "s1").Rejection);
        Assert.Equal("forbidden", Check(Doc(source: "hq", targets: ["s1a", "s2"]), scope: "s1").Rejection!.Error);
        Assert.Equal("forbidden", Check(Doc(source: "hq", targets: ["s1", "ghost"]), scope: "s1").Rejection!.Error);
        Assert.Equal("unknownUnit", Check(Doc(source: "s1", targets: ["ghost"]), scope: "s1").Rejection!.Error);
    }

    [Theory]
    [InlineData("dataRequest", "deadlineHours", "invalidEvent")]
    [InlineData("digitalDemand", "channel", "invalidEvent")]
    [InlineData("overreach", "category", "invalidEvent")]
    public void KindSpecificFieldsAreChecked(string kind, string field, string error)
    {
        var input = new EventInput { Id = "k", Kind = kind, Source = "hq", Targets = ["s1"], OccurredAt = "2026-11-20T09:00:00Z" };
        switch (field)
        {
            case "deadlineHours": input.DeadlineHours = 0; break;
            case "channel": input.Channel = "fax"; break;
            default: input.Category = "bribery"; break;
        }

        Assert.Equal(error, Check(input).Rejection?.Error);
    }
}
