using System.Net;
using System.Text;

using Oversight.Grains;

namespace Oversight.Tests.Api;

[Collection(GatewayCollection.Name)]
public sealed class EventsApiTests(GatewayFixture gateway)
{
    private static readonly DateOnly Day = Group.Anchor;

    private static async Task<long> ReceivedDocumentsAsync(Group group, string unit) =>
        (await group.LoadAsync(unit, Group.Month(Day))).AssertOk().Json["subtree"]!["received"]!["document"]!.GetValue<long>();

    [Fact]
    public async Task ABatchReportsAcceptedDuplicatesAndEachRejection()
    {
        var group = await Group.CreateAsync(gateway);
        var reply = (await group.PostEventsAsync(
            group.Admin,
            Group.Document("HQ-2026/001", "hq", Day, "s1", "s2"),
            new { id = "bad kind", kind = "memo", source = "hq", targets = new[] { "s1" }, occurredAt = Group.At(Day) },
            Group.Document("d-unknown", "hq", Day, "ghost"),
            new { id = "d-future", kind = "document", source = "hq", targets = new[] { "s1" }, occurredAt = DateTimeOffset.UtcNow.AddDays(2).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture) },
            Group.Document("HQ-2026/001", "hq", Day, "s1a"),
            42)).AssertOk();

        Assert.Equal(1, reply.Json["accepted"]!.GetValue<int>());
        Assert.Equal(1, reply.Json["duplicates"]!.GetValue<int>());
        var rejected = reply.Json["rejected"]!.AsArray();
        Assert.Equal([1, 2, 3, 5], rejected.Select(r => r!["index"]!.GetValue<int>()));
        Assert.Equal(["invalidEvent", "unknownUnit", "outOfRange", "invalidEvent"], rejected.Select(r => r!["error"]!.GetValue<string>()));
        Assert.Equal("d-unknown", rejected[1]!["id"]!.GetValue<string>());
        Assert.All(rejected, r => Assert.False(string.IsNullOrEmpty(r!["detail"]!.GetValue<string>())));
        Assert.Equal(2, await ReceivedDocumentsAsync(group, "hq"));
    }

    [Fact]
    public async Task ABackfillIsAnsweredOnceDurableAndCountsExactlyOnce()
    {
        var group = await Group.CreateAsync(gateway);
        var events = Enumerable.Range(0, 300).Select(i => Group.Document($"bf-{i}", "hq", Day, "s1", "s2")).ToArray();
        var (reply, headers) = await group.Admin.SendWithHeadersAsync(HttpMethod.Post, $"{group.Base}/events", ApiClient.JsonContent(events), ("Prefer", "wait=5, respond-async"));
        Assert.Equal(300, reply.AssertOk().Json["accepted"]!.GetValue<int>());
        Assert.Equal(["respond-async"], headers.GetValues("Preference-Applied"));

        // The answer may precede counting; once the shard has handed everything out, the counts are exact.
        Assert.True(await gateway.Grains.GetGrain<IEventLedgerGrain>(GrainKeys.LedgerShard(group.Tenant, 0)).Delivered(TimeSpan.FromMinutes(1), 0));
        Assert.Equal(600, await ReceivedDocumentsAsync(group, "hq"));
        Assert.Equal(300, await ReceivedDocumentsAsync(group, "s1"));

        var (again, againHeaders) = await group.Admin.SendWithHeadersAsync(HttpMethod.Post, $"{group.Base}/events", ApiClient.JsonContent(events[..10]));
        Assert.Equal(10, again.AssertOk().Json["duplicates"]!.GetValue<int>());
        Assert.False(againHeaders.Contains("Preference-Applied"));
        Assert.Equal(600, await ReceivedDocumentsAsync(group, "hq"));
    }

    [Theory]
    [InlineData("respond-async", true)]
    [InlineData("wait=5, Respond-Async", true)]
    [InlineData("respond-async; x=y", true)]
    [InlineData("return=minimal", false)]
    [InlineData("respond-asynchronously", false)]
    [InlineData("", false)]
    public void ThePreferHeaderIsReadAsRfc7240Says(string prefer, bool backfill)
    {
        var http = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        http.Request.Headers["Prefer"] = prefer;
        Assert.Equal(backfill, Oversight.Gateway.Api.EventsApi.PrefersRespondAsync(http.Request));
    }

    [Fact]
    public async Task ARepeatedIdIsADuplicateAcrossBatchesWhateverItsContent()
    {
        var group = await Group.CreateAsync(gateway);
        (await group.PostEventsAsync(group.Admin, Group.Document("d1", "hq", Day, "s1"))).AssertOk();
        var again = (await group.PostEventsAsync(group.Admin, Group.Document("d1", "hq", Day, "s1"), Group.Document("d1", "s1", Day.AddDays(1), "s1a", "s1b"))).AssertOk();
        Assert.Equal(0, again.Json["accepted"]!.GetValue<int>());
        Assert.Equal(2, again.Json["duplicates"]!.GetValue<int>());
        Assert.Equal(1, await ReceivedDocumentsAsync(group, "hq"));
        Assert.Equal(0, await ReceivedDocumentsAsync(group, "s1a"));
    }

    [Fact]
    public async Task NdjsonIsAcceptedLineByLine()
    {
        var group = await Group.CreateAsync(gateway);
        var body = new StringBuilder()
            .AppendLine(System.Text.Json.JsonSerializer.Serialize(Group.Document("n1", "hq", Day, "s1"), System.Text.Json.JsonSerializerOptions.Web))
            .AppendLine("{not json")
            .AppendLine()
            .AppendLine(System.Text.Json.JsonSerializer.Serialize(Group.Document("n2", "hq", Day, "s2"), System.Text.Json.JsonSerializerOptions.Web))
            .ToString();
        var reply = (await group.Admin.SendRawAsync(HttpMethod.Post, $"{group.Base}/events", body, "application/x-ndjson")).AssertOk();
        Assert.Equal(2, reply.Json["accepted"]!.GetValue<int>());
        Assert.Equal(1, reply.Json["rejected"]![0]!["index"]!.GetValue<int>());
        Assert.Equal(2, await ReceivedDocumentsAsync(group, "hq"));
    }

    [Fact]
    public async Task OversizedBatchesAreRefusedWhole()
    {
        var group = await Group.CreateAsync(gateway);
        var many = Enumerable.Range(0, 10_001).Select(i => Group.Document($"e{i}", "hq", Day, "s1")).ToArray();
        (await group.PostEventsAsync(group.Admin, many)).AssertProblem(HttpStatusCode.RequestEntityTooLarge);
        var huge = "[" + new string(' ', 17 * 1024 * 1024) + "]";
        (await group.Admin.SendRawAsync(HttpMethod.Post, $"{group.Base}/events", huge, "application/json")).AssertProblem(HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(0, await ReceivedDocumentsAsync(group, "hq"));
    }

    [Theory]
    [InlineData("[{\"id\":", "application/json", HttpStatusCode.BadRequest)]
    [InlineData("{\"id\":\"x\"}", "application/json", HttpStatusCode.BadRequest)]
    [InlineData("[]", "text/csv", HttpStatusCode.UnsupportedMediaType)]
    public async Task UnreadableBodiesAreProblems(string body, string contentType, HttpStatusCode status)
    {
        var group = await Group.CreateAsync(gateway);
        (await group.Admin.SendRawAsync(HttpMethod.Post, $"{group.Base}/events", body, contentType)).AssertProblem(status);
    }

    [Fact]
    public async Task DuplicatedKeysAndWrongTypesRejectTheEventNotTheBatch()
    {
        var group = await Group.CreateAsync(gateway);
        var at = Group.At(Day);
        var body = $$"""
            [{"id":"a","kind":"document","source":"hq","targets":["s1"],"occurredAt":"{{at}}","source":"s2"},
             {"id":"b","kind":"meeting","source":"hq","targets":["s1"],"occurredAt":"{{at}}","durationMinutes":"ninety"},
             {"id":"c","kind":"document","source":"hq","targets":["s1"],"occurredAt":"{{at}}","accepted":99}]
            """;
        var reply = (await group.Admin.SendRawAsync(HttpMethod.Post, $"{group.Base}/events", body, "application/json")).AssertOk();
        Assert.Equal(1, reply.Json["accepted"]!.GetValue<int>());
        Assert.Equal(["a", "b"], reply.Json["rejected"]!.AsArray().Select(r => r!["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task MembersRecordWhatTheyIssueOrReceiveAndNothingElse()
    {
        var group = await Group.CreateAsync(gateway);
        var s1 = group.Member("s1");
        var reply = (await group.PostEventsAsync(
            s1,
            Group.Document("own-issue", "s1", Day, "s2"),
            Group.Document("received", "hq", Day, "s1a", "s1b"),
            Group.Document("not-mine", "hq", Day, "s1", "s2"),
            Group.Document("sibling", "s2", Day, "hq"))).AssertOk();
        Assert.Equal(2, reply.Json["accepted"]!.GetValue<int>());
        Assert.Equal(["forbidden", "forbidden"], reply.Json["rejected"]!.AsArray().Select(r => r!["error"]!.GetValue<string>()));
        (await group.PostEventsAsync(gateway.Client(GatewayFixture.Regulator(group.Tenant)), Group.Document("r", "hq", Day, "s1"))).AssertProblem(HttpStatusCode.Forbidden);
        (await group.PostEventsAsync(gateway.Client(GatewayFixture.Member("other-tenant", "hq")), Group.Document("x", "hq", Day, "s1"))).AssertProblem(HttpStatusCode.Forbidden);
        Assert.Equal(3, await ReceivedDocumentsAsync(group, "hq"));
    }
}
