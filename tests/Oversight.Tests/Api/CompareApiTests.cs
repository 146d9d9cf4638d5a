using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Oversight.Tests.Api;

/// <summary>The regulators' comparison of groups: totals, ratios, change, alerts, reports; JSON and CSV; scope.</summary>
[Collection(GatewayCollection.Name)]
public sealed class CompareApiTests(GatewayFixture gateway)
{
    private static readonly DateOnly Day = Group.Anchor;

    [Fact]
    public async Task GroupsCompareByTheirRootSubtreeAgainstABaseline()
    {
        var a = await Group.CreateAsync(gateway);
        var b = await Group.CreateAsync(gateway);
        (await a.PostEventsAsync(a.Admin,
            Group.Document("d1", "hq", Day, "s1", "s2"),
            Group.Document("d2", "hq", Day, "s1a"),
            Group.Document("d0", "hq", Day.AddYears(-1), "s1"),
            new { id = "i1", kind = "inspection", source = "hq", targets = new[] { "s2" }, occurredAt = Group.At(Day), days = 2, planned = false })).AssertOk();
        (await b.PostEventsAsync(b.Admin, Group.Document("x1", "hq", Day, "s2"))).AssertOk();
        await a.SettleAsync();
        await b.SettleAsync();

        var month = Group.Month(Day);
        var rows = (await a.Admin.GetAsync($"/api/v1/compare?tenants={a.Tenant},{b.Tenant}&period={month}")).AssertOk().Json.AsArray();
        Assert.Equal([a.Tenant, b.Tenant], rows.Select(r => r!["tenant"]!.GetValue<string>()));
        var row = rows[0]!;
        Assert.Equal("测试集团 Test Group", row["name"]!.GetValue<string>());
        Assert.Equal(month, row["period"]!.GetValue<string>());
        Assert.Equal(Group.Month(Day.AddYears(-1)), row["baseline"]!.GetValue<string>());
        Assert.Equal(5, row["units"]!.GetValue<int>());
        Assert.Equal(185, row["headcount"]!.GetValue<long>());
        Assert.Equal(3, row["received"]!["document"]!.GetValue<long>());
        Assert.Equal(1, row["received"]!["inspection"]!.GetValue<long>());
        Assert.Equal(3, row["issued"]!["document"]!.GetValue<long>() + row["issued"]!["inspection"]!.GetValue<long>());
        Assert.Equal(2, row["inspectionDays"]!.GetValue<long>());
        Assert.Equal(0, row["meetingMinutes"]!.GetValue<long>());
        Assert.Equal(1.62, row["per100Staff"]!["document"]!.GetValue<double>());
        Assert.Equal(0, row["per100Staff"]!["meeting"]!.GetValue<double>());
        Assert.Equal(200.0, row["change"]!["document"]!.GetValue<double>());
        Assert.Null(row["change"]!["meeting"]);
        Assert.Equal(6, row["change"]!.AsObject().Count);
        Assert.Equal(1, row["alerts"]!["unplannedInspection"]!.GetValue<int>());
        Assert.Equal(0, row["alerts"]!["quotaExceeded"]!.GetValue<int>());
        Assert.Equal(7, row["alerts"]!.AsObject().Count);
        Assert.Equal(1, rows[1]!["received"]!["document"]!.GetValue<long>());

        // A reduction target: documents rose 200% (missed), meetings have no baseline (unknown).
        var targeted = (await a.Admin.GetAsync($"/api/v1/compare?tenants={a.Tenant}&period={month}&target=-30")).AssertOk().Json[0]!;
        Assert.Equal(-30, targeted["target"]!.GetValue<double>());
        Assert.False(targeted["targetMet"]!["document"]!.GetValue<bool>());
        Assert.Null(targeted["targetMet"]!["meeting"]);
        Assert.True((await a.Admin.GetAsync($"/api/v1/compare?tenants={a.Tenant}&period={month}&target=200")).AssertOk().Json[0]!["targetMet"]!["document"]!.GetValue<bool>());
        Assert.Null(row["targetMet"]);
        (await a.Admin.GetAsync($"/api/v1/compare?tenants={a.Tenant}&period={month}&target=-130")).AssertProblem(HttpStatusCode.BadRequest);
        (await a.Admin.GetAsync($"/api/v1/compare?tenants={a.Tenant}&period={month}&target=half")).AssertProblem(HttpStatusCode.BadRequest);

        // An explicit baseline; reports count by when they were filed.
        var explicitBase = (await a.Admin.GetAsync($"/api/v1/compare?tenants={a.Tenant}&period={month}&baseline={Group.Month(Day.AddMonths(-1))}")).AssertOk().Json[0]!;
        Assert.Null(explicitBase["change"]!["document"]);
        (await a.Member("s1").PostAsync($"{a.Base}/reports", new { fromUnit = "s1", aboutUnit = "hq", category = "documents", text = "太多文件 Too many documents" })).AssertOk(HttpStatusCode.Created);
        var thisMonth = (await a.Admin.GetAsync($"/api/v1/compare?tenants={a.Tenant}&period={Group.Month(Group.Today)}")).AssertOk().Json[0]!;
        Assert.Equal(1, thisMonth["reports"]!["open"]!.GetValue<int>());
        Assert.Equal(0, thisMonth["reports"]!["overdue"]!.GetValue<int>());
        Assert.Equal(0, row["reports"]!["open"]!.GetValue<int>());
    }

    [Fact]
    public async Task EachCallerComparesOnlyTheGroupsItMayReadWhole()
    {
        var a = await Group.CreateAsync(gateway);
        var b = await Group.CreateAsync(gateway);
        var query = $"/api/v1/compare?tenants={a.Tenant},{b.Tenant}&period=2026";
        string[] Tenants(JsonArray rows) => [.. rows.Select(r => r!["tenant"]!.GetValue<string>())];

        Assert.Equal([a.Tenant], Tenants((await gateway.Client(GatewayFixture.Regulator(a.Tenant)).GetAsync(query)).AssertOk().Json.AsArray()));
        Assert.Equal([b.Tenant], Tenants((await b.Member("hq").GetAsync(query)).AssertOk().Json.AsArray()));
        Assert.Empty((await a.Member("s1").GetAsync(query)).AssertOk().Json.AsArray());
        Assert.Contains(a.Tenant, Tenants((await gateway.Client(GatewayFixture.Regulator("*")).GetAsync("/api/v1/compare?period=2026")).AssertOk().Json.AsArray()));

        (await a.Admin.GetAsync($"/api/v1/compare?tenants={a.Tenant}")).AssertProblem(HttpStatusCode.BadRequest);
        (await a.Admin.GetAsync($"/api/v1/compare?tenants={a.Tenant}&period=2026-13")).AssertProblem(HttpStatusCode.BadRequest);
        (await a.Admin.GetAsync($"/api/v1/compare?tenants={a.Tenant}&period=2026&baseline=soon")).AssertProblem(HttpStatusCode.BadRequest);
        (await a.Admin.GetAsync("/api/v1/compare?tenants=Not_A_Tenant&period=2026")).AssertProblem(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task CsvGivesTheSameFiguresOneLinePerGroup()
    {
        var a = await Group.CreateAsync(gateway);
        (await a.PostEventsAsync(a.Admin, Group.Document("d1", "hq", Day, "s1", "s2"))).AssertOk();
        await a.SettleAsync();

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/compare?tenants={a.Tenant}&period={Group.Month(Day)}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", GatewayFixture.Regulator(a.Tenant));
        request.Headers.Accept.ParseAdd("text/csv");
        using var response = await gateway.CreateClient().SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        var header = lines[0].Split(',');
        var cells = lines[1].Split(',');
        Assert.Equal(header.Length, cells.Length);
        string Cell(string column) => cells[Array.IndexOf(header, column)];
        Assert.Equal(a.Tenant, Cell("tenant"));
        Assert.Equal("2", Cell("received.document"));
        Assert.Equal("1", Cell("issued.document"));
        Assert.Equal("1.08", Cell("per100Staff.document"));
        Assert.Equal("", Cell("change.document"));
        Assert.Equal("185", Cell("headcount"));
        Assert.Equal("0", Cell("reports.open"));
    }
}
