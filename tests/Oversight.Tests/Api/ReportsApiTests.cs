using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;

namespace Oversight.Tests.Api;

/// <summary>Reports: filing, the closed loop, who may do what, and anonymity.</summary>
[Collection(GatewayCollection.Name)]
public sealed class ReportsApiTests(GatewayFixture gateway)
{
    private static object Filing(string from, string about, bool anonymous = false, string category = "meetings", string text = "每周三次视频会，占用生产时间。Three video meetings a week.") =>
        new { fromUnit = from, aboutUnit = about, category, text, anonymous, relatedEvents = new[] { "SUB1-MTG-77" } };

    private static async Task<JsonArray> ListAsync(Group group, ApiClient client, string query = "") =>
        (await client.GetAsync($"{group.Base}/reports{query}")).AssertOk().Json.AsArray();

    private static string[] Ids(JsonArray reports) => [.. reports.Select(r => r!["id"]!.GetValue<string>())];

    [Fact]
    public async Task AReportGoesFromOpenToAcknowledgedToResolvedToRated()
    {
        var group = await Group.CreateAsync(gateway);
        var reporter = group.Member("s1a");
        var handler = group.Member("s1");

        var filed = (await reporter.PostAsync($"{group.Base}/reports", Filing("s1a", "s1"))).AssertOk(HttpStatusCode.Created).Json;
        var id = filed["id"]!.GetValue<string>();
        Assert.Equal("open", filed["status"]!.GetValue<string>());
        Assert.Equal("s1a", filed["fromUnit"]!.GetValue<string>());
        var created = DateTimeOffset.Parse(filed["createdAt"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        var due = DateTimeOffset.Parse(filed["dueAt"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        Assert.Equal(TimeSpan.FromDays(10), due - created);
        Assert.Equal(TimeSpan.FromHours(8), created.Offset);
        Assert.False(filed["overdue"]!.GetValue<bool>());

        // Only the side the report is about answers it; the reporter rates, and only after resolution.
        (await reporter.PostAsync($"{group.Base}/reports/{id}/acknowledge", new { })).AssertProblem(HttpStatusCode.Forbidden);
        (await reporter.PostAsync($"{group.Base}/reports/{id}/rate", new { score = 4 })).AssertProblem(HttpStatusCode.Conflict);
        Assert.Equal("acknowledged", (await handler.PostAsync($"{group.Base}/reports/{id}/acknowledge", new { })).AssertOk().Json["status"]!.GetValue<string>());
        Assert.Equal("acknowledged", (await handler.PostAsync($"{group.Base}/reports/{id}/acknowledge", new { })).AssertOk().Json["status"]!.GetValue<string>());
        (await handler.PostAsync($"{group.Base}/reports/{id}/resolve", new { resolution = "" })).AssertProblem(HttpStatusCode.BadRequest);
        (await group.Member("s2").PostAsync($"{group.Base}/reports/{id}/resolve", new { resolution = "x" })).AssertProblem(HttpStatusCode.Forbidden);
        var resolved = (await group.Member("hq").PostAsync($"{group.Base}/reports/{id}/resolve", new { resolution = "合并为月度例会。Merged into one monthly meeting." })).AssertOk().Json;
        Assert.Equal("resolved", resolved["status"]!.GetValue<string>());
        Assert.Equal("合并为月度例会。Merged into one monthly meeting.", resolved["resolution"]!.GetValue<string>());
        (await handler.PostAsync($"{group.Base}/reports/{id}/resolve", new { resolution = "again" })).AssertProblem(HttpStatusCode.Conflict);
        (await handler.PostAsync($"{group.Base}/reports/{id}/acknowledge", new { })).AssertProblem(HttpStatusCode.Conflict);

        (await handler.PostAsync($"{group.Base}/reports/{id}/rate", new { score = 5 })).AssertProblem(HttpStatusCode.Forbidden);
        (await reporter.PostAsync($"{group.Base}/reports/{id}/rate", new { score = 6 })).AssertProblem(HttpStatusCode.BadRequest);
        var rated = (await reporter.PostAsync($"{group.Base}/reports/{id}/rate", new { score = 4 })).AssertOk().Json;
        Assert.Equal(4, rated["score"]!.GetValue<int>());
        Assert.Equal(["filed", "acknowledged", "resolved", "rated"], rated["history"]!.AsArray().Select(s => s!["action"]!.GetValue<string>()));
        Assert.Equal(["s1a", "s1", "hq", "s1a"], rated["history"]!.AsArray().Select(s => s!["unit"]!.GetValue<string>()));

        // Listed from both sides, filtered by status.
        Assert.Equal([id], Ids(await ListAsync(group, reporter)));
        Assert.Equal([id], Ids(await ListAsync(group, handler, "?status=resolved")));
        Assert.Empty(await ListAsync(group, handler, "?status=open"));
        Assert.Empty(await ListAsync(group, group.Member("s2")));
        (await handler.GetAsync($"{group.Base}/reports?status=lost")).AssertProblem(HttpStatusCode.BadRequest);
        Assert.Equal(id, (await gateway.Client(GatewayFixture.Regulator(group.Tenant)).GetAsync($"{group.Base}/reports/{id}")).AssertOk().Json["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task AnAnonymousReportNamesItsReporterOnlyToTheReportersOwnSide()
    {
        var group = await Group.CreateAsync(gateway);
        var filed = (await group.Member("s1a").PostAsync($"{group.Base}/reports", Filing("s1a", "hq", anonymous: true, category: "overreach"))).AssertOk(HttpStatusCode.Created).Json;
        var id = filed["id"]!.GetValue<string>();
        Assert.Equal("s1a", filed["fromUnit"]!.GetValue<string>());
        Assert.Equal(["SUB1-MTG-77"], filed["relatedEvents"]!.AsArray().Select(e => e!.GetValue<string>()));

        // HQ, administrators and regulators see the report, and nothing that points at s1a.
        foreach (var client in new[] { group.Member("hq"), group.Admin, gateway.Client(GatewayFixture.Regulator(group.Tenant)) })
        {
            var seen = Assert.Single(await ListAsync(group, client))!;
            Assert.Equal(id, seen["id"]!.GetValue<string>());
            Assert.Null(seen["fromUnit"]);
            Assert.Empty(seen["relatedEvents"]!.AsArray());
            Assert.Null(Assert.Single(seen["history"]!.AsArray())!["unit"]);
            Assert.DoesNotContain("s1a", seen.ToJsonString(), StringComparison.Ordinal);
            Assert.DoesNotContain("s1a", (await client.GetAsync($"{group.Base}/reports/{id}")).AssertOk().Json.ToJsonString(), StringComparison.Ordinal);

            // Asking about the reporter's subtree must not single the report out.
            Assert.Empty(await ListAsync(group, client, "?unit=s1a"));
            Assert.Empty(await ListAsync(group, client, "?unit=s1"));
        }

        // The level between neither sees it nor learns it exists.
        Assert.Empty(await ListAsync(group, group.Member("s1")));
        (await group.Member("s1").GetAsync($"{group.Base}/reports/{id}")).AssertProblem(HttpStatusCode.Forbidden);

        // HQ answers it without knowing who asked; the reporter sees its own unit throughout.
        (await group.Member("hq").PostAsync($"{group.Base}/reports/{id}/resolve", new { resolution = "已取消。Withdrawn." })).AssertOk();
        var own = Assert.Single(await ListAsync(group, group.Member("s1a")))!;
        Assert.Equal("s1a", own["fromUnit"]!.GetValue<string>());
        Assert.Equal(["s1a", "hq"], own["history"]!.AsArray().Select(s => s!["unit"]!.GetValue<string>()));
        (await group.Member("s1a").PostAsync($"{group.Base}/reports/{id}/rate", new { score = 5 })).AssertOk();
        Assert.Equal([null, "hq", null], Assert.Single(await ListAsync(group, group.Member("hq")))!["history"]!.AsArray().Select(s => s!["unit"]?.GetValue<string>()));
    }

    [Fact]
    public async Task BadReportsAreRefusedAndChangeNothing()
    {
        var group = await Group.CreateAsync(gateway);
        var member = group.Member("s1");

        async Task<JsonObject> Invalid(object body)
        {
            var reply = (await member.PostAsync($"{group.Base}/reports", body)).AssertProblem(HttpStatusCode.BadRequest);
            return reply.Json["errors"]!.AsObject();
        }

        Assert.True((await Invalid(Filing("s1", "s1"))).ContainsKey("aboutUnit"));
        Assert.True((await Invalid(Filing("s1", "s1a"))).ContainsKey("aboutUnit"));
        Assert.True((await Invalid(Filing("s1", "s2"))).ContainsKey("aboutUnit"));
        Assert.True((await Invalid(Filing("s1", "nowhere"))).ContainsKey("aboutUnit"));
        Assert.True((await Invalid(Filing("s1", "hq", category: "weather"))).ContainsKey("category"));
        Assert.True((await Invalid(Filing("s1", "hq", text: new string('字', 4001)))).ContainsKey("text"));
        Assert.True((await Invalid(Filing("s1", "hq", text: "  "))).ContainsKey("text"));
        Assert.True((await Invalid(Filing("s1", "hq", text: "bell\u0007"))).ContainsKey("text"));
        Assert.True((await Invalid(new { fromUnit = "s1", aboutUnit = "hq", category = "other", text = "x", relatedEvents = new[] { "bad id!" } })).ContainsKey("relatedEvents"));
        (await member.SendRawAsync(HttpMethod.Post, $"{group.Base}/reports", "{\"fromUnit\":", "application/json")).AssertProblem(HttpStatusCode.BadRequest);

        // Out of scope: another unit's name, a unit the member cannot see, a regulator.
        (await member.PostAsync($"{group.Base}/reports", Filing("s2", "hq"))).AssertProblem(HttpStatusCode.Forbidden);
        (await member.PostAsync($"{group.Base}/reports", Filing("ghost", "hq"))).AssertProblem(HttpStatusCode.Forbidden);
        (await gateway.Client(GatewayFixture.Regulator(group.Tenant)).PostAsync($"{group.Base}/reports", Filing("s1", "hq"))).AssertProblem(HttpStatusCode.Forbidden);
        Assert.True((await group.Admin.PostAsync($"{group.Base}/reports", Filing("ghost", "hq"))).AssertProblem(HttpStatusCode.BadRequest).Json["errors"]!.AsObject().ContainsKey("fromUnit"));
        (await group.Admin.GetAsync($"{group.Base}/reports/rpt-999")).AssertProblem(HttpStatusCode.NotFound);
        (await member.GetAsync($"{group.Base}/reports/rpt-999")).AssertProblem(HttpStatusCode.Forbidden);

        Assert.Empty(await ListAsync(group, group.Admin));
        var ok = (await member.PostAsync($"{group.Base}/reports", Filing("s1a", "hq", text: "第一行\n\tline two"))).AssertOk(HttpStatusCode.Created).Json;
        Assert.Equal("rpt-1", ok["id"]!.GetValue<string>());
        Assert.Equal("第一行\n\tline two", ok["text"]!.GetValue<string>());
    }
}
