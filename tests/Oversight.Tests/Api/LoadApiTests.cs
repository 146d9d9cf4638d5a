using System.Net;
using System.Text.Json.Nodes;

namespace Oversight.Tests.Api;

[Collection(GatewayCollection.Name)]
public sealed class LoadApiTests(GatewayFixture gateway)
{
    private static readonly DateOnly Day = Group.Anchor;

    private static long At(JsonNode load, string part, string side, string kind) => load[part]![side]![kind]!.GetValue<long>();

    [Fact]
    public async Task OwnSubtreeAndChildrenCountExactly()
    {
        var group = await Group.CreateAsync(gateway);
        (await group.PostEventsAsync(
            group.Admin,
            Group.Document("d1", "hq", Day, "s1", "s2", "s1"),
            new { id = "m1", kind = "meeting", source = "s1", targets = new[] { "s1a", "s1b" }, occurredAt = Group.At(Day), durationMinutes = 90, mode = "video" },
            new { id = "i1", kind = "inspection", source = "hq", targets = new[] { "s1a" }, occurredAt = Group.At(Day), days = 3, planned = false },
            new { id = "q1", kind = "dataRequest", source = "s1", targets = new[] { "s1" }, occurredAt = Group.At(Day), deadlineHours = 4, dataItems = new[] { "headcount" } })).AssertOk();

        var load = (await group.LoadAsync("s1", Group.Month(Day), children: true)).AssertOk().Json;
        Assert.Equal(group.Tenant, load["tenant"]!.GetValue<string>());
        Assert.Equal("s1", load["unit"]!.GetValue<string>());
        Assert.Equal(Group.Month(Day), load["period"]!.GetValue<string>());
        Assert.EndsWith("+08:00", load["asOf"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(1, At(load, "own", "received", "document"));
        Assert.Equal(1, At(load, "own", "received", "dataRequest"));
        Assert.Equal(1, At(load, "own", "issued", "meeting"));
        Assert.Equal(1, At(load, "own", "issued", "dataRequest"));
        Assert.Equal(0, load["own"]!["meetingMinutes"]!.GetValue<long>());
        Assert.Equal(2, At(load, "subtree", "received", "meeting"));
        Assert.Equal(1, At(load, "subtree", "received", "inspection"));
        Assert.Equal(180, load["subtree"]!["meetingMinutes"]!.GetValue<long>());
        Assert.Equal(3, load["subtree"]!["inspectionDays"]!.GetValue<long>());
        Assert.Equal(3, load["subtree"]!["units"]!.GetValue<int>());
        Assert.Equal(80, load["subtree"]!["headcount"]!.GetValue<long>());
        foreach (var side in new[] { "received", "issued" })
        {
            Assert.Equal(["document", "meeting", "inspection", "dataRequest", "digitalDemand", "overreach"], load["own"]![side]!.AsObject().Select(p => p.Key));
        }

        var children = load["children"]!.AsArray();
        Assert.Equal(["s1a", "s1b"], children.Select(c => c!["unit"]!.GetValue<string>()));
        Assert.Equal("S1A", children[0]!["name"]!.GetValue<string>());
        Assert.Equal(1, At(children[0]!, "subtree", "received", "inspection"));
        Assert.Equal(90, children[1]!["subtree"]!["meetingMinutes"]!.GetValue<long>());

        var root = (await group.LoadAsync("hq", Group.Month(Day))).AssertOk().Json;
        Assert.Equal(2, At(root, "subtree", "received", "document"));
        Assert.Equal(2, At(root, "own", "issued", "inspection") + At(root, "own", "issued", "document"));
        Assert.Equal(185, root["subtree"]!["headcount"]!.GetValue<long>());
        Assert.False(root.AsObject().ContainsKey("children"));
    }

    [Fact]
    public async Task EveryPeriodFormCountsInTheTenantsLocalDays()
    {
        var group = await Group.CreateAsync(gateway);
        var firstOfMonth = new DateOnly(Day.Year, Day.Month, 1);
        var lastOfPrevious = firstOfMonth.AddDays(-1);

        // 16:30 UTC on the last day of the previous month is 00:30 on the first in Shanghai.
        var utcEvening = $"{lastOfPrevious:yyyy-MM-dd}T16:30:00Z";
        (await group.PostEventsAsync(
            group.Admin,
            new { id = "late", kind = "document", source = "hq", targets = new[] { "s1" }, occurredAt = utcEvening },
            new { id = "today", kind = "digitalDemand", source = "hq", targets = new[] { "s2" }, occurredAt = DateTimeOffset.UtcNow.AddMinutes(-1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture), channel = "workGroup" })).AssertOk();

        async Task<long> Documents(string period) => At((await group.LoadAsync("hq", period)).AssertOk().Json, "subtree", "received", "document");
        Assert.Equal(1, await Documents(Group.Month(firstOfMonth)));
        Assert.Equal(0, await Documents(Group.Month(lastOfPrevious)));
        Assert.Equal(1, await Documents(Group.Day(firstOfMonth)));
        Assert.Equal(0, await Documents(Group.Day(lastOfPrevious)));
        Assert.Equal(1, await Documents(firstOfMonth.Year.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(1, await Documents("last400d"));
        Assert.Equal(0, await Documents("last1d"));
        Assert.Equal(1, At((await group.LoadAsync("hq", "last1d")).Json, "subtree", "received", "digitalDemand"));
    }

    [Theory]
    [InlineData("period=2026-13")]
    [InlineData("period=last0d")]
    [InlineData("period=last401d")]
    [InlineData("")]
    [InlineData("period=2026&children=maybe")]
    public async Task BadQueriesAreRefused(string query)
    {
        var group = await Group.CreateAsync(gateway);
        (await group.Admin.GetAsync($"{group.Base}/units/hq/load?{query}")).AssertProblem(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task UnknownUnitsAreNotFoundInsideTheScopeAndForbiddenOutside()
    {
        var group = await Group.CreateAsync(gateway);
        (await group.Admin.GetAsync($"{group.Base}/units/ghost/load?period=2026")).AssertProblem(HttpStatusCode.NotFound);
        (await group.Member("hq").GetAsync($"{group.Base}/units/ghost/load?period=2026")).AssertProblem(HttpStatusCode.NotFound);
        (await group.Member("s1").GetAsync($"{group.Base}/units/ghost/load?period=2026")).AssertProblem(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task ARestructuredUnitTakesItsHistoryAlong()
    {
        var group = await Group.CreateAsync(gateway);
        (await group.PostEventsAsync(group.Admin, Group.Document("d1", "hq", Day, "s1a"), Group.Document("d2", "hq", Day, "s1b"))).AssertOk();
        var moved = (await group.Admin.PutAsync($"{group.Base}/units", new[] { new { id = "s1a", name = "S1A", parentId = "s2", headcount = 20 } })).AssertOk();
        Assert.Equal(1, moved.Json["moved"]!.GetValue<int>());
        (await group.PostEventsAsync(group.Admin, Group.Document("d3", "hq", Day, "s1a"))).AssertOk();

        var month = Group.Month(Day);
        var s1 = (await group.LoadAsync("s1", month)).Json;
        var s2 = (await group.LoadAsync("s2", month)).Json;
        var hq = (await group.LoadAsync("hq", month)).Json;
        Assert.Equal(1, At(s1, "subtree", "received", "document"));
        Assert.Equal(2, s1["subtree"]!["units"]!.GetValue<int>());
        Assert.Equal(2, At(s2, "subtree", "received", "document"));
        Assert.Equal(25, s2["subtree"]!["headcount"]!.GetValue<long>());
        Assert.Equal(3, At(hq, "subtree", "received", "document"));
    }

    [Fact]
    public async Task TrendsGiveOnePointPerMonthOrDay()
    {
        var group = await Group.CreateAsync(gateway);
        (await group.PostEventsAsync(group.Admin, Group.Document("d1", "hq", Day, "s1"), Group.Document("d2", "hq", Day.AddMonths(1), "s1", "s2"))).AssertOk();
        await group.SettleAsync();
        var months = (await group.Admin.GetAsync($"{group.Base}/units/hq/trend?from={Group.Month(Day.AddMonths(-1))}&to={Group.Month(Day.AddMonths(1))}")).AssertOk().Json;
        Assert.Equal("month", months["granularity"]!.GetValue<string>());
        Assert.Equal([0L, 1L, 2L], months["points"]!.AsArray().Select(p => At(p!, "subtree", "received", "document")));
        Assert.Equal(Group.Month(Day), months["points"]![1]!["period"]!.GetValue<string>());
        var days = (await group.Admin.GetAsync($"{group.Base}/units/s1/trend?from={Group.Day(Day.AddDays(-1))}&to={Group.Day(Day.AddDays(1))}")).AssertOk().Json;
        Assert.Equal("day", days["granularity"]!.GetValue<string>());
        Assert.Equal([0L, 1L, 0L], days["points"]!.AsArray().Select(p => At(p!, "subtree", "received", "document")));
        (await group.Admin.GetAsync($"{group.Base}/units/hq/trend?from=2026-01&to=2026-01-05")).AssertProblem(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task TrendsCompareYearOverYear()
    {
        var group = await Group.CreateAsync(gateway);
        (await group.PostEventsAsync(group.Admin, Group.Document("old", "hq", Day.AddYears(-1), "s1", "s2"), Group.Document("new", "hq", Day, "s1"))).AssertOk();
        await group.SettleAsync();
        var months = (await group.Admin.GetAsync($"{group.Base}/units/hq/trend?from={Group.Month(Day)}&to={Group.Month(Day)}&yoy=true")).AssertOk().Json;
        var point = months["points"]![0]!;
        Assert.Equal(2, At(point, "previousYear", "received", "document"));
        Assert.Equal(-50.0, point["change"]!["document"]!.GetValue<double>());
        Assert.Null(point["change"]!["meeting"]);
        var days = (await group.Admin.GetAsync($"{group.Base}/units/s1/trend?from={Group.Day(Day)}&to={Group.Day(Day)}&yoy=true")).AssertOk().Json;
        Assert.Equal(0.0, days["points"]![0]!["change"]!["document"]!.GetValue<double>());
    }
}
