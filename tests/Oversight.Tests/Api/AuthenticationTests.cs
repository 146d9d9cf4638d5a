using System.Net;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Oversight.Tests.Api;

[Collection(GatewayCollection.Name)]
public sealed class AuthenticationTests(GatewayFixture gateway)
{
    private static string Sign(string key, string issuer = "oversight", string audience = "oversight", DateTime? expires = null, string role = "admin", string algorithm = SecurityAlgorithms.HmacSha256)
    {
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = (expires ?? now.AddHours(1)) - TimeSpan.FromHours(2),
            NotBefore = (expires ?? now.AddHours(1)) - TimeSpan.FromHours(2),
            Expires = expires ?? now.AddHours(1),
            Claims = new Dictionary<string, object> { ["role"] = role },
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), algorithm),
        });
    }

    private static string Unsigned()
    {
        static string B64(string s) => Base64UrlEncoder.Encode(s);
        var exp = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        return $"{B64("{\"alg\":\"none\",\"typ\":\"JWT\"}")}.{B64($"{{\"iss\":\"oversight\",\"aud\":\"oversight\",\"exp\":{exp},\"role\":\"admin\"}}")}.";
    }

    private static string Tampered()
    {
        var parts = GatewayFixture.Member("acme", "leaf").Split('.');
        var payload = Base64UrlEncoder.Decode(parts[1]).Replace("\"member\"", "\"admin\"", StringComparison.Ordinal);
        return $"{parts[0]}.{Base64UrlEncoder.Encode(payload)}.{parts[2]}";
    }

    public static TheoryData<string, string> BadTokens() => new()
    {
        { "expired", Sign(GatewayFixture.SigningKey, expires: DateTime.UtcNow.AddMinutes(-1)) },
        { "wrong key", Sign("another-key-0123456789abcdef-0123456789abcdef") },
        { "wrong issuer", Sign(GatewayFixture.SigningKey, issuer: "someone") },
        { "wrong audience", Sign(GatewayFixture.SigningKey, audience: "someone") },
        { "alg none", Unsigned() },
        { "HS512 with the right key", Sign(GatewayFixture.SigningKey + GatewayFixture.SigningKey, algorithm: SecurityAlgorithms.HmacSha512) },
        { "tampered payload", Tampered() },
        { "garbage", "not-a-token" },
    };

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task BadTokensAreUnauthorized(string why, string token)
    {
        var reply = await gateway.Client(token).GetAsync("/api/v1/tenants");
        Assert.True(reply.Status == HttpStatusCode.Unauthorized, why);
        reply.AssertProblem(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task NoTokenIsUnauthorizedEvenForUnknownApiPaths()
    {
        (await gateway.Client(null).GetAsync("/api/v1/tenants")).AssertProblem(HttpStatusCode.Unauthorized);
        (await gateway.Client(null).GetAsync("/api/v1/nothing/here")).AssertProblem(HttpStatusCode.Unauthorized);
        (await gateway.Client(GatewayFixture.Admin()).GetAsync("/api/v1/nothing/here")).AssertProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ASignedTokenWithoutAKnownRoleGrantsNothing()
    {
        (await gateway.Client(Sign(GatewayFixture.SigningKey, role: "superuser")).GetAsync("/api/v1/tenants")).AssertProblem(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task OperationalEndpointsAreAnonymous()
    {
        var anonymous = gateway.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/ready")).StatusCode);
        var openApi = await anonymous.GetStringAsync("/openapi/v1.json");
        Assert.Contains("/api/v1/tenants/{tenant}/units/{unit}/load", openApi, StringComparison.Ordinal);
        var metrics = await anonymous.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
    }
}
