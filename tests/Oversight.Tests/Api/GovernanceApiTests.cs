using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;

namespace Oversight.Tests.Api;

[Collection(GatewayCollection.Name)]
public sealed class GovernanceApiTests(GatewayFixture gateway)
{
    private static readonly DateOnly Day = Group.Anchor;

    private static string JustNow() => DateTimeOffset.UtcNow.AddSeconds(-5).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static async Task<JsonArray> AlertsAsync(Group group, string query = "", ApiClient? client = null) =>
        (await (client ?? group.Admin).GetAsync($"{group.Base}/alerts{query}")).AssertOk().Json.AsArray();

    private static string[] Types(JsonArray alerts) => [.. alerts.Select(a => a!["type"]!.GetValue<string>())];

    [Fact]
    public async Task AQuotaWarnsOnTrendThenOnBreachOnceEach()
    {
        var group = await Group.CreateAsync(gateway);
        var quotas = (await group.Admin.PutAsync($"{group.Base}/units/hq/quotas", new { month = new { document = 2 }, year = new { meeting = 100 } })).AssertOk().Json;
        Assert.Equal(2, quotas["month"]!["document"]!.GetValue<long>());
        Assert.Equal(2, (await group.Admin.GetAsync($"{group.Base}/units/hq/quotas")).Json["month"]!["document"]!.GetValue<long>());

        object Doc(string id) => new { id, kind = "document", source = "hq", targets = new[] { "s1", "s2" }, occurredAt = JustNow() };
        (await group.PostEventsAsync(group.Admin, Doc("d1"))).AssertOk();
        Assert.Empty(await AlertsAsync(group, "?type=quotaExceeded"));
        (await group.PostEventsAsync(group.Admin, Doc("d2"))).AssertOk();
        var trend = Assert.Single(await AlertsAsync(group, "?type=quotaTrend"));
        Assert.Equal("hq", trend!["unit"]!.GetValue<string>());
        Assert.Equal(DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM", CultureInfo.InvariantCulture), trend["period"]!.GetValue<string>());
        Assert.Contains("上限 2", trend["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("of 2", trend["detail"]!.GetValue<string>(), StringComparison.Ordinal);

        (await group.PostEventsAsync(group.Admin, Doc("d3"), Doc("d1"))).AssertOk();
        var exceeded = Assert.Single(await AlertsAsync(group, "?type=quotaExceeded"));
        Assert.Equal("d3", exceeded!["eventId"]!.GetValue<string>());
        Assert.Equal(["s1", "s2"], exceeded["affected"]!.AsArray().Select(a => a!.GetValue<string>()));
        (await group.PostEventsAsync(group.Admin, Doc("d4"))).AssertOk();
        Assert.Equal(2, (await AlertsAsync(group)).Count);
        Assert.Equal(2, (await AlertsAsync(group, "?unit=s2")).Count);
    }

    [Fact]
    public async Task ShortDeadlinesAndUnplannedInspectionsAlertPerEvent()
    {
        var group = await Group.CreateAsync(gateway);
        (await group.PostEventsAsync(
            group.Admin,
            new { id = "q-short", kind = "dataRequest", source = "hq", targets = new[] { "s1" }, occurredAt = Group.At(Day), deadlineHours = 23.9 },
            new { id = "q-day", kind = "dataRequest", source = "hq", targets = new[] { "s1" }, occurredAt = Group.At(Day), deadlineHours = 24 },
            new { id = "i-off", kind = "inspection", source = "s1", targets = new[] { "s1a", "s1b" }, occurredAt = Group.At(Day), planned = false },
            new { id = "i-on", kind = "inspection", source = "s1", targets = new[] { "s1a" }, occurredAt = Group.At(Day) })).AssertOk();
        (await group.PostEventsAsync(group.Admin, new { id = "q-short", kind = "dataRequest", source = "hq", targets = new[] { "s1" }, occurredAt = Group.At(Day), deadlineHours = 1 })).AssertOk();

        var alerts = await AlertsAsync(group);
        Assert.Equal(["shortDeadline", "unplannedInspection"], Types(alerts).Order());
        var shortDeadline = alerts.Single(a => a!["type"]!.GetValue<string>() == "shortDeadline")!;
        Assert.Equal("q-short", shortDeadline["eventId"]!.GetValue<string>());
        Assert.Equal(Group.Day(Day), shortDeadline["period"]!.GetValue<string>());
        Assert.Contains("23.9", shortDeadline["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(["unplannedInspection"], Types(await AlertsAsync(group, "?unit=s1b")));
        Assert.Equal(["unplannedInspection"], Types(await AlertsAsync(group, client: group.Member("s1a"))));
        Assert.Empty(await AlertsAsync(group, client: group.Member("s2")));
    }

    [Fact]
    public async Task TheSameDataAskedByAnotherSourceWithin30DaysIsADuplicate()
    {
        var group = await Group.CreateAsync(gateway);
        object Ask(string id, string source, DateOnly day, params string[] items) =>
            new { id, kind = "dataRequest", source, targets = new[] { "s1a", "s1b" }, occurredAt = Group.At(day), deadlineHours = 72, dataItems = items };
        (await group.PostEventsAsync(
            group.Admin,
            Ask("r1", "hq", Day, "headcount"),
            Ask("r2", "hq", Day.AddDays(1), "headcount"),
            Ask("r3", "s1", Day.AddDays(30), "headcount", "safety-ledger"),
            Ask("r4", "s1", Day.AddDays(-31), "headcount"))).AssertOk();

        var alerts = await AlertsAsync(group, "?type=duplicateDataRequest");
        Assert.Equal(["duplicateDataRequest:r3:s1a", "duplicateDataRequest:r3:s1b"],
            alerts.Select(a => a!["id"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        var one = alerts.First(a => a!["id"]!.GetValue<string>() == "duplicateDataRequest:r3:s1a")!;
        Assert.Equal("s1", one["unit"]!.GetValue<string>());
        Assert.Equal(["s1a"], one["affected"]!.AsArray().Select(a => a!.GetValue<string>()));
    }

    [Fact]
    public async Task CascadesAnswerLayerByLayerWhateverTheArrivalOrder()
    {
        var group = await Group.CreateAsync(gateway);
        object Doc(string id, string source, string? causedBy, params string[] targets) =>
            new { id, kind = "document", source, targets, occurredAt = Group.At(Day), causedBy };
        (await group.PostEventsAsync(group.Admin, Doc("s1-a", "s1", "HQ-1", "s1a"), Doc("s1-b", "s1", "HQ-1", "s1b"), Doc("s1a-x", "s1a", "s1-a", "s1a"))).AssertOk();
        (await group.Admin.GetAsync($"{group.Base}/events/HQ-1/cascade")).AssertProblem(HttpStatusCode.NotFound);
        var orphan = (await group.Admin.GetAsync($"{group.Base}/events/s1a-x/cascade")).AssertOk().Json;
        Assert.Equal("s1-a", orphan["root"]!.GetValue<string>());

        (await group.PostEventsAsync(group.Admin, Doc("HQ-1", "hq", null, "s1", "s2"), Doc("s2-a", "s2", "HQ-1", "s2"), Doc("s2-b", "s2", "HQ-1", "s2"))).AssertOk();
        var cascade = (await group.Admin.GetAsync($"{group.Base}/events/s1a-x/cascade")).AssertOk().Json;
        Assert.Equal("HQ-1", cascade["root"]!.GetValue<string>());
        Assert.Equal(6, cascade["totalEvents"]!.GetValue<int>());
        var layers = cascade["layers"]!.AsArray();
        Assert.Equal([(0, 1, 2L), (1, 4, 4L), (2, 1, 1L)], layers.Select(l => (l!["depth"]!.GetValue<int>(), l["events"]!.GetValue<int>(), l["deliveries"]!.GetValue<long>())));
        Assert.Equal(["cascadeAmplification"], Types(await AlertsAsync(group)));

        (await group.PostEventsAsync(group.Admin, Doc("s2-c", "s2", "HQ-1", "s2"))).AssertOk();
        var alert = Assert.Single(await AlertsAsync(group, "?type=cascadeAmplification"))!;
        Assert.Equal("HQ-1", alert["eventId"]!.GetValue<string>());
        Assert.Equal("hq", alert["unit"]!.GetValue<string>());
        Assert.Equal(["s1", "s2"], alert["affected"]!.AsArray().Select(a => a!.GetValue<string>()));
    }

    [Fact]
    public async Task AlertQueriesAreCheckedAndScoped()
    {
        var group = await Group.CreateAsync(gateway);
        (await group.Admin.GetAsync($"{group.Base}/alerts?type=everything")).AssertProblem(HttpStatusCode.BadRequest);
        (await group.Admin.GetAsync($"{group.Base}/alerts?since=yesterday")).AssertProblem(HttpStatusCode.BadRequest);
        (await group.Member("s1").GetAsync($"{group.Base}/alerts?unit=s2")).AssertProblem(HttpStatusCode.Forbidden);
        var other = await Group.CreateAsync(gateway);
        (await other.Member("hq").GetAsync($"{group.Base}/alerts")).AssertProblem(HttpStatusCode.Forbidden);
        (await gateway.Client(GatewayFixture.Regulator(group.Tenant)).PutAsync($"{group.Base}/units/hq/quotas", new { month = new { document = 1 } })).AssertProblem(HttpStatusCode.Forbidden);
        (await group.Admin.PutAsync($"{group.Base}/units/hq/quotas", new { month = new { memo = 1 } })).AssertProblem(HttpStatusCode.BadRequest);
        (await group.Admin.PutAsync($"{group.Base}/units/hq/quotas", new { month = new { document = -1 } })).AssertProblem(HttpStatusCode.BadRequest);

        (await group.PostEventsAsync(group.Admin, new { id = "i1", kind = "inspection", source = "hq", targets = new[] { "s2" }, occurredAt = Group.At(Day), planned = false })).AssertOk();
        var future = DateTimeOffset.UtcNow.AddMinutes(5).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        Assert.Single(await AlertsAsync(group, "?since=2020-01-01T00:00:00Z"));
        Assert.Empty(await AlertsAsync(group, $"?since={future}"));
    }

    [Fact]
    public async Task ThresholdsAreSetPerTenant()
    {
        var group = await Group.CreateAsync(gateway);
        var tenant = (await group.Admin.PutAsync(group.Base, new { name = "Strict", alertSettings = new { shortDeadlineHours = 48, cascadeLimit = 1 } })).AssertOk().Json;
        Assert.Equal(48, tenant["alertSettings"]!["shortDeadlineHours"]!.GetValue<double>());
        Assert.Equal(30, tenant["alertSettings"]!["duplicateWindowDays"]!.GetValue<int>());
        (await group.PostEventsAsync(group.Admin, new { id = "q", kind = "dataRequest", source = "hq", targets = new[] { "s1" }, occurredAt = Group.At(Day), deadlineHours = 36 })).AssertOk();
        Assert.Equal(["shortDeadline"], Types(await AlertsAsync(group)));
        (await group.Admin.PutAsync(group.Base, new { name = "Strict", alertSettings = new { duplicateWindowDays = 0 } })).AssertProblem(HttpStatusCode.BadRequest);
        (await group.Admin.PutAsync(group.Base, new { name = "Strict", alertSettings = new { reportDueDays = 0 } })).AssertProblem(HttpStatusCode.BadRequest);
        Assert.Equal(10, tenant["alertSettings"]!["reportDueDays"]!.GetValue<int>());

        // Reports are due as many days after filing as the tenant sets (限时办结).
        var quick = (await group.Admin.PutAsync(group.Base, new { name = "Strict", alertSettings = new { reportDueDays = 3 } })).AssertOk().Json;
        Assert.Equal(3, quick["alertSettings"]!["reportDueDays"]!.GetValue<int>());
        Assert.Equal(48, quick["alertSettings"]!["shortDeadlineHours"]!.GetValue<double>());
        var report = (await group.Member("s1").PostAsync($"{group.Base}/reports", new { fromUnit = "s1", aboutUnit = "hq", category = "other", text = "x" })).AssertOk(HttpStatusCode.Created).Json;
        Assert.Equal(TimeSpan.FromDays(3), DateTimeOffset.Parse(report["dueAt"]!.GetValue<string>(), CultureInfo.InvariantCulture) - DateTimeOffset.Parse(report["createdAt"]!.GetValue<string>(), CultureInfo.InvariantCulture));
    }
}
