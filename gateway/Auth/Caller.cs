using System.Security.Claims;
using System.Text.Json;

namespace Oversight.Gateway.Auth;

/// <summary>Who is calling, read from a validated token.</summary>
public sealed record Caller(string Role, string? Tenant, string? Unit, IReadOnlySet<string> Tenants)
{
    public bool IsAdmin => Role == Roles.Admin;

    public bool IsMember => Role == Roles.Member;

    public bool IsRegulator => Role == Roles.Regulator;

    /// <summary>True when the caller may read the tenant at all (its units aside).</summary>
    public bool MayRead(string tenant) => Role switch
    {
        Roles.Admin => true,
        Roles.Member => Tenant == tenant,
        Roles.Regulator => Tenants.Contains("*") || Tenants.Contains(tenant),
        _ => false,
    };

    /// <summary>Reads the caller from claims; null when the token grants no usable role.</summary>
    public static Caller? From(ClaimsPrincipal user)
    {
        var role = user.FindFirst(Roles.RoleClaim)?.Value;
        switch (role)
        {
            case Roles.Admin:
                return new Caller(role, null, null, new HashSet<string>());
            case Roles.Member:
                var tenant = user.FindFirst(Roles.TenantClaim)?.Value;
                var unit = user.FindFirst(Roles.UnitClaim)?.Value;
                return string.IsNullOrEmpty(tenant) || string.IsNullOrEmpty(unit) ? null : new Caller(role, tenant, unit, new HashSet<string>());
            case Roles.Regulator:
                return new Caller(role, null, null, ReadTenants(user));
            default:
                return null;
        }
    }

    private static HashSet<string> ReadTenants(ClaimsPrincipal user)
    {
        var tenants = new HashSet<string>(StringComparer.Ordinal);
        foreach (var claim in user.FindAll(Roles.TenantsClaim))
        {
            // A JSON array claim arrives as one claim per element; a JSON-encoded string as one claim.
            if (claim.Value.StartsWith('['))
            {
                try
                {
                    foreach (var t in JsonSerializer.Deserialize<string[]>(claim.Value) ?? [])
                    {
                        tenants.Add(t);
                    }
                }
                catch (JsonException)
                {
                    // A malformed claim grants nothing.
                }
            }
            else
            {
                tenants.Add(claim.Value);
            }
        }

        return tenants;
    }
}
