namespace Oversight.Gateway.Auth;

/// <summary>The role claim values and claim names of <c>API.md</c>.</summary>
public static class Roles
{
    public const string Admin = "admin";
    public const string Member = "member";
    public const string Regulator = "regulator";

    public const string RoleClaim = "role";
    public const string TenantClaim = "tenant";
    public const string UnitClaim = "unit";
    public const string TenantsClaim = "tenants";
}
