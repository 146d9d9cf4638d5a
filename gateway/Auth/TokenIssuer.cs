using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Oversight.Gateway.Auth;

/// <summary>Signs tokens with the configured key (the <c>token</c> command and the startup admin token).</summary>
public static class TokenIssuer
{
    public static SymmetricSecurityKey Key(string signingKey) => new(Encoding.UTF8.GetBytes(signingKey));

    public static string Issue(string signingKey, string role, string? tenant, string? unit, IReadOnlyList<string>? tenants, TimeSpan lifetime)
    {
        var claims = new Dictionary<string, object> { [Roles.RoleClaim] = role };
        if (tenant is not null)
        {
            claims[Roles.TenantClaim] = tenant;
        }

        if (unit is not null)
        {
            claims[Roles.UnitClaim] = unit;
        }

        if (tenants is not null)
        {
            claims[Roles.TenantsClaim] = JsonSerializer.SerializeToElement(tenants);
        }

        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = AuthOptions.IssuerAndAudience,
            Audience = AuthOptions.IssuerAndAudience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            Claims = claims,
            Subject = new ClaimsIdentity(),
            SigningCredentials = new SigningCredentials(Key(signingKey), SecurityAlgorithms.HmacSha256),
        });
    }
}
