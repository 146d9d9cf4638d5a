using System.Net;
using System.Text;
using Oversight.Tests.Api;

namespace Oversight.Tests.Security;

/// <summary>
/// Hostile bodies against every write endpoint: each must be a 4xx problem (never 5xx) and
/// change nothing. Events are the exception by contract: a readable batch answers 200 with the
/// bad events rejected one by one, and nothing of them counts.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class HostileInputTests(GatewayFixture gateway)
{
    private static readonly string At = Group.At(Group.Anchor);

    private static string Nested(int depth) => new string('[', depth) + new string(']', depth);

    public static IEnumerable<(string Why, string Body, string ContentType)> Hostile(string valid)
    {
        yield return ("malformed JSON", "{\"id\":", "application/json");
        yield return ("deeply nested JSON", Nested(5_000), "application/json");
        yield return ("wrong content type", valid, "text/plain");
        yield return ("form content type", "id=x", "application/x-www-form-urlencoded");
        yield return ("invalid UTF-8", "\"\udc00\"", "application/json");
        yield return ("a bare string", "\"hello\"", "application/json");
        yield return ("null", "null", "application/json");
        yield return ("trailing garbage", valid + "}", "application/json");
        yield return ("comments", "/* hi */" + valid, "application/json");
    }

    public static TheoryData<string, string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string, string>();
        var endpoints = new (string Path, string Valid)[]
        {
            ("", """{"name":"ok"}"""),
            ("/units", """[{"id":"ok","parentId":"hq"}]"""),
            ("/units/s1/quotas", """{"month":{"document":1}}"""),
        };
        foreach (var (path, valid) in endpoints)
        {
            foreach (var (why, body, type) in Hostile(valid))
            {
                data.Add(path, why, body, type);
            }
        }

        // Field-level attacks, per endpoint.
        data.Add("", "huge name", $$"""{"name":"{{new string('x', 100_000)}}"}""", "application/json");
        data.Add("", "NUL in name", """{"name":"a\u0000b"}""", "application/json");
        data.Add("", "duplicated key", """{"name":"a","name":"b"}""", "application/json");
        data.Add("", "time zone injection", """{"name":"a","timeZone":"../../etc/passwd"}""", "application/json");
        data.Add("", "number as name", """{"name":42}""", "application/json");
        data.Add("/units", "id breaking the rules", """[{"id":"../etc","parentId":"hq"}]""", "application/json");
        data.Add("/units", "id with NUL", """[{"id":"a\u0000","parentId":"hq"}]""", "application/json");
        data.Add("/units", "id too long", $$"""[{"id":"{{new string('a', 129)}}","parentId":"hq"}]""", "application/json");
        data.Add("/units", "headcount out of range", """[{"id":"x","parentId":"hq","headcount":1e30}]""", "application/json");
        data.Add("/units", "headcount negative", """[{"id":"x","parentId":"hq","headcount":-1}]""", "application/json");
        data.Add("/units", "headcount as string", """[{"id":"x","parentId":"hq","headcount":"12"}]""", "application/json");
        data.Add("/units", "duplicated key", """[{"id":"x","parentId":"hq","parentId":null}]""", "application/json");
        data.Add("/units", "object instead of array", """{"id":"x","parentId":"hq"}""", "application/json");
        data.Add("/units", "control characters in name", """[{"id":"x","parentId":"hq","name":"a\u0007b"}]""", "application/json");
        data.Add("/units/s1/quotas", "cap out of range", """{"month":{"document":99999999999}}""", "application/json");
        data.Add("/units/s1/quotas", "cap overflow", """{"month":{"document":1e40}}""", "application/json");
        data.Add("/units/s1/quotas", "unknown kind", """{"month":{"bribes":1}}""", "application/json");
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task HostileBodiesAreRefusedAndChangeNothing(string path, string why, string body, string contentType)
    {
        var group = await Group.CreateAsync(gateway);
        var method = path.Length == 0 || path.EndsWith("/units", StringComparison.Ordinal) || path.EndsWith("/quotas", StringComparison.Ordinal) ? HttpMethod.Put : HttpMethod.Post;
        var reply = await SendBytesAsync(group, method, group.Base + path, body, contentType);
        Assert.True((int)reply.Status is >= 400 and < 500, $"{why}: {(int)reply.Status}");
        reply.AssertProblem(reply.Status);
        var tenant = (await group.Admin.GetAsync(group.Base)).Json;
        Assert.Equal("测试集团 Test Group", tenant["name"]!.GetValue<string>());
        Assert.Equal(5, tenant["units"]!.GetValue<int>());
        Assert.Empty((await group.Admin.GetAsync($"{group.Base}/units/s1/quotas")).Json["month"]!.AsObject());
    }

    public static TheoryData<string, string> HostileEvents() => new()
    {
        { "id breaking the rules", $$"""{"id":"../x","kind":"document","source":"hq","targets":["s1"],"occurredAt":"{{At}}"}""" },
        { "NUL in id", $$"""{"id":"a\u0000","kind":"document","source":"hq","targets":["s1"],"occurredAt":"{{At}}"}""" },
        { "huge data item", $$"""{"id":"q","kind":"dataRequest","source":"hq","targets":["s1"],"occurredAt":"{{At}}","dataItems":["{{new string('x', 10_000)}}"]}""" },
        { "duration overflow", $$"""{"id":"m","kind":"meeting","source":"hq","targets":["s1"],"occurredAt":"{{At}}","durationMinutes":1e30}""" },
        { "deadline NaN", $$"""{"id":"q","kind":"dataRequest","source":"hq","targets":["s1"],"occurredAt":"{{At}}","deadlineHours":"NaN"}""" },
        { "days zero", $$"""{"id":"i","kind":"inspection","source":"hq","targets":["s1"],"occurredAt":"{{At}}","days":0}""" },
        { "duplicated key", $$"""{"id":"d","kind":"document","source":"hq","source":"s2","targets":["s1"],"occurredAt":"{{At}}"}""" },
        { "too many targets", $$"""{"id":"d","kind":"document","source":"hq","targets":[{{string.Join(",", Enumerable.Repeat("\"s1\"", 10_001))}}],"occurredAt":"{{At}}"}""" },
        { "no targets", $$"""{"id":"d","kind":"document","source":"hq","targets":[],"occurredAt":"{{At}}"}""" },
        { "year 10000", """{"id":"d","kind":"document","source":"hq","targets":["s1"],"occurredAt":"10000-01-01T00:00:00Z"}""" },
        { "nested object as target", $$"""{"id":"d","kind":"document","source":"hq","targets":[{"id":"s1"}],"occurredAt":"{{At}}"}""" },
        { "deep nesting inside", $$"""{"id":"d","kind":"document","source":"hq","targets":["s1"],"occurredAt":"{{At}}","x":{{Nested(40)}}}""" },
    };

    [Theory]
    [MemberData(nameof(HostileEvents))]
    public async Task HostileEventsAreRejectedOneByOneAndCountNothing(string why, string hostile)
    {
        var group = await Group.CreateAsync(gateway);
        var reply = await SendBytesAsync(group, HttpMethod.Post, $"{group.Base}/events", $"[{hostile}]", "application/json");
        if (reply.Status == HttpStatusCode.OK)
        {
            Assert.True(reply.Json["accepted"]!.GetValue<int>() == 0, why);
            Assert.Equal("invalidEvent", reply.Json["rejected"]![0]!["error"]!.GetValue<string>());
        }
        else
        {
            Assert.True((int)reply.Status is >= 400 and < 500, $"{why}: {(int)reply.Status}");
            reply.AssertProblem(reply.Status);
        }

        var load = (await group.LoadAsync("hq", "last400d")).Json;
        Assert.All(load["subtree"]!["received"]!.AsObject(), p => Assert.Equal(0, p.Value!.GetValue<long>()));
        Assert.Empty((await group.Admin.GetAsync($"{group.Base}/alerts")).Json.AsArray());
    }

    [Fact]
    public async Task ServerOwnedFieldsCannotBeAssigned()
    {
        var group = await Group.CreateAsync(gateway);
        (await SendBytesAsync(group, HttpMethod.Put, group.Base, """{"name":"Renamed","id":"other","units":99999}""", "application/json")).AssertOk();
        var tenant = (await group.Admin.GetAsync(group.Base)).Json;
        Assert.Equal(group.Tenant, tenant["id"]!.GetValue<string>());
        Assert.Equal(5, tenant["units"]!.GetValue<int>());
        (await SendBytesAsync(group, HttpMethod.Put, $"{group.Base}/units", """[{"id":"x","parentId":"hq","path":["evil"],"children":["hq"]}]""", "application/json")).AssertOk();
        var unit = (await group.Admin.GetAsync($"{group.Base}/units/x")).Json;
        Assert.Equal(["hq", "x"], unit["path"]!.AsArray().Select(p => p!.GetValue<string>()));
        Assert.Empty(unit["children"]!.AsArray());
        var ingest = (await SendBytesAsync(group, HttpMethod.Post, $"{group.Base}/events", $$"""[{"id":"d","kind":"document","source":"hq","targets":["s1"],"occurredAt":"{{At}}","accepted":500,"tenant":"other"}]""", "application/json")).Json;
        Assert.Equal(1, ingest["accepted"]!.GetValue<int>());
    }

    [Fact]
    public async Task QueriesBreakingTheRulesAreRefused()
    {
        var group = await Group.CreateAsync(gateway);
        foreach (var path in new[]
        {
            "/units/s1/load?period=" + Uri.EscapeDataString("2026\u0000"),
            "/units/s1/load?period=" + new string('9', 5000),
            "/units/s1/trend?from=2026-01&to=9999-12",
            "/units/s1/trend?from=0000-01&to=0000-02",
            "/alerts?since=" + Uri.EscapeDataString("2026-13-01T00:00:00Z"),
        })
        {
            var reply = await group.Admin.GetAsync(group.Base + path);
            Assert.True(reply.Status == HttpStatusCode.BadRequest, $"{path}: {(int)reply.Status}");
            reply.AssertProblem(HttpStatusCode.BadRequest);
        }

        (await group.Admin.GetAsync($"{group.Base}/units/{Uri.EscapeDataString("a\u0007b")}")).AssertProblem(HttpStatusCode.NotFound);
        (await group.Admin.GetAsync("/api/v1/tenants/" + Uri.EscapeDataString("../acme"))).AssertProblem(HttpStatusCode.NotFound);
    }

    private static Task<Reply> SendBytesAsync(Group group, HttpMethod method, string path, string body, string contentType)
    {
        var bytes = body == "\"\udc00\"" ? [(byte)'"', 0xC3, 0x28, (byte)'"'] : Encoding.UTF8.GetBytes(body);
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        return group.Admin.SendAsync(method, path, content);
    }
}
