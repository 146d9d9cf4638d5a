using System.Net;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Oversight.Tests.Api;

namespace Oversight.Tests.Security;

/// <summary>
/// Every endpoint of the route table × every bad token → 401; × every way out of scope → 403
/// that names nothing; regulators → 403 on every write. A new endpoint is in the matrix the moment
/// it is mapped.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class AuthorizationMatrixTests(GatewayFixture gateway)
{
    /// <summary>A body each write endpoint would accept from a caller in scope.</summary>
    private static string BodyFor(ApiRoute route, string unit) => route.Pattern switch
    {
        _ when route.Pattern.EndsWith("/events", StringComparison.Ordinal) =>
            $$"""[{"id":"m-1","kind":"document","source":"{{unit}}","targets":["{{unit}}"],"occurredAt":"{{Group.At(Group.Anchor)}}"}]""",
        _ when route.Pattern.EndsWith("/units", StringComparison.Ordinal) => $$"""[{"id":"m-new","parentId":"{{unit}}"}]""",
        _ when route.Pattern.EndsWith("/quotas", StringComparison.Ordinal) => """{"month":{"document":1}}""",
        _ when route.Pattern.EndsWith("/reports", StringComparison.Ordinal) => $$"""{"fromUnit":"{{unit}}","aboutUnit":"hq","category":"other","text":"x"}""",
        _ when route.Pattern.EndsWith("/resolve", StringComparison.Ordinal) => """{"resolution":"done"}""",
        _ when route.Pattern.EndsWith("/rate", StringComparison.Ordinal) => """{"score":5}""",
        _ => """{"name":"Taken over"}""",
    };

    private static Task<Reply> SendAsync(ApiClient client, ApiRoute route, Group group, string unit, string eventId = "e-1") =>
        route.IsWrite
            ? client.SendRawAsync(new HttpMethod(route.Method), route.Path(group.Tenant, unit, eventId), BodyFor(route, unit), "application/json")
            : client.SendAsync(new HttpMethod(route.Method), route.Path(group.Tenant, unit, eventId), null);

    private static string Forge(Func<SecurityTokenDescriptor, SecurityTokenDescriptor> change)
    {
        var now = DateTime.UtcNow;
        var descriptor = change(new SecurityTokenDescriptor
        {
            Issuer = "oversight",
            Audience = "oversight",
            IssuedAt = now.AddMinutes(-5),
            NotBefore = now.AddMinutes(-5),
            Expires = now.AddHours(1),
            Claims = new Dictionary<string, object> { ["role"] = "admin" },
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(GatewayFixture.SigningKey)), SecurityAlgorithms.HmacSha256),
        });
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    private static IEnumerable<(string Why, string? Token)> BadTokens()
    {
        yield return ("no token", null);
        yield return ("expired", Forge(d => { d.IssuedAt = d.NotBefore = DateTime.UtcNow.AddHours(-2); d.Expires = DateTime.UtcNow.AddMinutes(-1); return d; }));
        yield return ("wrong key", Forge(d => { d.SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes("some-other-key-0123456789abcdef-012345")), SecurityAlgorithms.HmacSha256); return d; }));
        yield return ("wrong iss", Forge(d => { d.Issuer = "evil"; return d; }));
        yield return ("wrong aud", Forge(d => { d.Audience = "evil"; return d; }));
        var exp = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        yield return ("alg none", $"{Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""")}.{Base64UrlEncoder.Encode($$"""{"iss":"oversight","aud":"oversight","exp":{{exp}},"role":"admin"}""")}.");
        var member = GatewayFixture.Member("x", "y").Split('.');
        yield return ("tampered payload", $"{member[0]}.{Base64UrlEncoder.Encode(Base64UrlEncoder.Decode(member[1]).Replace("member", "admin", StringComparison.Ordinal))}.{member[2]}");
    }

    [Fact]
    public async Task EveryEndpointRefusesEveryBadToken()
    {
        var group = await Group.CreateAsync(gateway);
        var routes = ApiRoute.All(gateway);
        Assert.True(routes.Count >= 12, $"only {routes.Count} endpoints found");
        var cases = 0;
        foreach (var route in routes)
        {
            foreach (var (why, token) in BadTokens())
            {
                var reply = await SendAsync(gateway.Client(token), route, group, "s1");
                Assert.True(reply.Status == HttpStatusCode.Unauthorized, $"{route} with {why}: {(int)reply.Status}");
                reply.AssertProblem(HttpStatusCode.Unauthorized);
                cases++;
            }
        }

        Assert.Equal(routes.Count * 7, cases);
        Assert.Equal(5, (await group.Admin.GetAsync(group.Base)).Json["units"]!.GetValue<int>());
    }

    [Fact]
    public async Task EveryEndpointRefusesCallersOutsideItsScopeAndSaysNothing()
    {
        var group = await Group.CreateAsync(gateway);
        var other = await Group.CreateAsync(gateway);
        (await group.PostEventsAsync(group.Admin, Group.Document("e-1", "s2", Group.Anchor, "s2"))).AssertOk();
        var outsiders = new (string Why, ApiClient Client, string Unit)[]
        {
            ("member of another tenant", other.Member("hq"), "s1"),
            ("regulator of another tenant", gateway.Client(GatewayFixture.Regulator(other.Tenant)), "s1"),
            ("member of a sibling subtree", group.Member("s1"), "s2"),
            ("member of a descendant reading upward", group.Member("s1a"), "s1"),
        };
        foreach (var route in ApiRoute.All(gateway).Where(r => r.NamesTenant))
        {
            foreach (var (why, client, unit) in outsiders)
            {
                var tenantWide = !route.NamesUnit && why.StartsWith("member of a", StringComparison.Ordinal) && !why.Contains("another", StringComparison.Ordinal);
                if (tenantWide && !route.IsWrite && !route.Pattern.Contains("{id}", StringComparison.Ordinal))
                {
                    continue; // a member may read its tenant and its alerts; the unit rules apply below it
                }

                var reply = await SendAsync(client, route, group, unit);
                if (tenantWide && route.Pattern.EndsWith("/events", StringComparison.Ordinal))
                {
                    // Tenant-wide ingest answers per event: out-of-scope events are refused, nothing counts.
                    reply.AssertOk();
                    Assert.Equal("forbidden", reply.Json["rejected"]![0]!["error"]!.GetValue<string>());
                    continue;
                }

                Assert.True(reply.Status == HttpStatusCode.Forbidden, $"{route} as {why}: {(int)reply.Status} {reply.Body?.ToJsonString()}");
                reply.AssertProblem(HttpStatusCode.Forbidden);
                var body = reply.Json.ToJsonString();
                Assert.DoesNotContain(group.Tenant, body, StringComparison.Ordinal);
                Assert.DoesNotContain($"\"{unit}\"", body, StringComparison.Ordinal);
            }
        }

        var load = (await group.LoadAsync("hq", Group.Month(Group.Anchor))).Json;
        Assert.Equal(1, load["subtree"]!["received"]!["document"]!.GetValue<long>());
        Assert.Equal(5, (await group.Admin.GetAsync(group.Base)).Json["units"]!.GetValue<int>());
    }

    [Fact]
    public async Task RegulatorsWriteNothing()
    {
        var group = await Group.CreateAsync(gateway);
        var regulator = gateway.Client(GatewayFixture.Regulator(group.Tenant));
        var writes = ApiRoute.All(gateway).Where(r => r.IsWrite).ToList();
        Assert.NotEmpty(writes);
        foreach (var route in writes)
        {
            (await SendAsync(regulator, route, group, "s1")).AssertProblem(HttpStatusCode.Forbidden);
        }

        Assert.Equal("测试集团 Test Group", (await group.Admin.GetAsync(group.Base)).Json["name"]!.GetValue<string>());
    }
}
