using Oversight.Gateway.Auth;

namespace Oversight.Gateway.Access;

/// <summary>A request's tenant, its tree, and where in it the caller may act.</summary>
public sealed record TenantScope(string Tenant, CachedTree Tree, Caller Caller, int? ScopeUnit)
{
    /// <summary>True when the caller's scope covers the whole tenant (so "not found" reveals nothing).</summary>
    public bool CoversTenant => ScopeUnit is not int s || s == Tree.View.Root;

    /// <summary>True when the caller may see a unit.</summary>
    public bool MaySee(int unit) => ScopeUnit is not int s || Tree.View.IsWithin(unit, s);
}
