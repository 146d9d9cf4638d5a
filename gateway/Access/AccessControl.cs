using Oversight.Domain;
using Oversight.Gateway.Auth;
using Oversight.Gateway.Http;

namespace Oversight.Gateway.Access;

/// <summary>
/// Object-level authorization: every tenant and unit named in a path is checked against the
/// caller's token and the tree the platform holds, never against what a request claims.
/// Outside the caller's scope the answer is 403 and says nothing about existence.
/// </summary>
public sealed class AccessControl(TreeCache trees)
{
    /// <summary>Resolves the tenant of a request, or the problem to answer.</summary>
    public async Task<(TenantScope? Scope, IResult? Problem)> TenantAsync(HttpContext http, string tenant, bool write)
    {
        var caller = Caller.From(http.User);
        if (caller is null || !caller.MayRead(tenant) || (write && caller.IsRegulator))
        {
            return (null, Problems.Forbidden());
        }

        if (!Ids.IsTenantId(tenant))
        {
            return (null, Problems.NotFound("No such tenant."));
        }

        var tree = await trees.GetAsync(tenant);
        if (tree is null)
        {
            return (null, Problems.NotFound($"Tenant '{tenant}' does not exist."));
        }

        int? scopeUnit = null;
        if (caller.IsMember)
        {
            if (!tree.View.TryGetIndex(caller.Unit, out var s))
            {
                return (null, Problems.Forbidden());
            }

            scopeUnit = s;
        }

        return (new TenantScope(tenant, tree, caller, scopeUnit), null);
    }

    /// <summary>Resolves the tenant and the unit of a <c>…/units/{unit}/…</c> path, or the problem to answer.</summary>
    public async Task<(TenantScope? Scope, int Unit, IResult? Problem)> UnitAsync(HttpContext http, string tenant, string unit, bool write)
    {
        var (scope, problem) = await TenantAsync(http, tenant, write);
        if (problem is not null)
        {
            return (null, -1, problem);
        }

        var (index, unitProblem) = Unit(scope!, Api.RouteValues.Id(unit));
        return (scope, index, unitProblem);
    }

    /// <summary>Resolves a unit named in a path inside a resolved tenant.</summary>
    public static (int Unit, IResult? Problem) Unit(TenantScope scope, string unit)
    {
        if (!scope.Tree.View.TryGetIndex(unit, out var index))
        {
            return (-1, scope.CoversTenant ? Problems.NotFound($"Unit '{unit}' does not exist.") : Problems.Forbidden());
        }

        return scope.MaySee(index) ? (index, null) : (-1, Problems.Forbidden());
    }

    /// <summary>The root of a <c>?unit=</c> filter: the named unit if the caller may see it, else the caller's own scope unit (the tree's root, -1 when it has none yet).</summary>
    public static (int Unit, IResult? Problem) SubtreeOf(TenantScope scope, string? unit) =>
        unit is null ? (scope.ScopeUnit ?? scope.Tree.View.Root, null) : Unit(scope, unit);
}
