using System.Net;
using System.Text.Json.Nodes;

namespace Oversight.Tests.Api;

/// <summary>The live stream: load at once and on change, alerts of the subtree only, checks first.</summary>
[Collection(GatewayCollection.Name)]
public sealed class LiveApiTests(GatewayFixture gateway)
{
    private static readonly DateOnly Day = Group.Anchor;

    /// <summary>Reads server-sent events one at a time (comments skipped).</summary>
    private sealed class EventReader(StreamReader reader, CancellationToken deadline)
    {
        public async Task<(string Name, JsonNode Data)> NextAsync()
        {
            string? name = null;
            string? data = null;
            while (true)
            {
                var line = await reader.ReadLineAsync(deadline) ?? throw new EndOfStreamException("the stream ended");
                if (line.Length == 0)
                {
                    if (name is not null && data is not null)
                    {
                        return (name, JsonNode.Parse(data)!);
                    }

                    continue;
                }

                if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    name = line[7..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    data = line[6..];
                }
            }
        }

        /// <summary>The next event of a name that satisfies a condition (load events come on every change on the way).</summary>
        public async Task<JsonNode> NextAsync(string name, Func<JsonNode, bool> until)
        {
            while (true)
            {
                var (n, data) = await NextAsync();
                if (n == name && until(data))
                {
                    return data;
                }
            }
        }
    }

    [Fact]
    public async Task TheStreamSendsTheLoadAtOnceThenEachChangeAndTheSubtreesAlerts()
    {
        var group = await Group.CreateAsync(gateway);
        var token = GatewayFixture.Member(group.Tenant, "s1");
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var http = gateway.CreateClient();
        using var response = await http.GetAsync($"{group.Base}/units/s1/live?period={Group.Month(Day)}&access_token={token}", HttpCompletionOption.ResponseHeadersRead, deadline.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        using var stream = new StreamReader(await response.Content.ReadAsStreamAsync(deadline.Token));
        var events = new EventReader(stream, deadline.Token);

        var (name, first) = await events.NextAsync();
        Assert.Equal("load", name);
        Assert.Equal("s1", first["unit"]!.GetValue<string>());
        Assert.Equal(0, first["subtree"]!["received"]!["document"]!.GetValue<long>());
        Assert.Equal(["s1a", "s1b"], first["children"]!.AsArray().Select(c => c!["unit"]!.GetValue<string>()));

        (await group.PostEventsAsync(group.Admin, Group.Document("d1", "hq", Day, "s1a", "s2"))).AssertOk();
        var changed = await events.NextAsync("load", l => l["subtree"]!["received"]!["document"]!.GetValue<long>() == 1);
        Assert.Equal(1, changed["children"]![0]!["subtree"]!["received"]!["document"]!.GetValue<long>());
        Assert.Equal(0, changed["own"]!["received"]!["document"]!.GetValue<long>());

        // Two unplanned inspections in one batch: the one landing outside s1's subtree is not sent.
        (await group.PostEventsAsync(group.Admin,
            new { id = "i-out", kind = "inspection", source = "hq", targets = new[] { "s2" }, occurredAt = Group.At(Day), planned = false },
            new { id = "i-in", kind = "inspection", source = "hq", targets = new[] { "s1b" }, occurredAt = Group.At(Day), planned = false })).AssertOk();

        // The alert and the load that counts the inspection come in either order.
        JsonNode? alert = null, inspected = null;
        while (alert is null || inspected is null)
        {
            var (next, data) = await events.NextAsync();
            if (next == "alert")
            {
                Assert.Null(alert);
                alert = data;
            }
            else if (data["subtree"]!["received"]!["inspection"]!.GetValue<long>() == 1)
            {
                inspected = data;
            }
        }

        Assert.Equal("unplannedInspection", alert["type"]!.GetValue<string>());
        Assert.Equal("i-in", alert["eventId"]!.GetValue<string>());
        Assert.Equal(["s1b"], alert["affected"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.Equal(1, inspected["subtree"]!["received"]!["document"]!.GetValue<long>());
    }

    [Fact]
    public async Task TheStreamIsCheckedBeforeItStarts()
    {
        var group = await Group.CreateAsync(gateway);
        var member = group.Member("s1");
        (await member.GetAsync($"{group.Base}/units/s1/live?period=someday")).AssertProblem(HttpStatusCode.BadRequest);
        (await member.GetAsync($"{group.Base}/units/s1/live")).AssertProblem(HttpStatusCode.BadRequest);
        (await member.GetAsync($"{group.Base}/units/s2/live?period=2026")).AssertProblem(HttpStatusCode.Forbidden);
        (await group.Admin.GetAsync($"{group.Base}/units/nowhere/live?period=2026")).AssertProblem(HttpStatusCode.NotFound);
        (await gateway.Client(null).GetAsync($"{group.Base}/units/s1/live?period=2026&access_token=not-a-token")).AssertProblem(HttpStatusCode.Unauthorized);
    }
}
