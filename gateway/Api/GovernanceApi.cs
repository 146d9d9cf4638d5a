using System.Globalization;
using Oversight.Domain;
using Oversight.Gateway.Access;
using Oversight.Gateway.Http;
using Oversight.Governance;
using Oversight.Grains;

namespace Oversight.Gateway.Api;

/// <summary><c>API.md</c>, Governance: quotas, alerts, cascades.</summary>
public static class GovernanceApi
{
    public static RouteGroupBuilder MapGovernanceApi(this RouteGroupBuilder api)
    {
        api.MapPut("/tenants/{tenant}/units/{unit}/quotas", PutQuotas)
            .Produces<QuotasDto>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/tenants/{tenant}/units/{unit}/quotas", GetQuotas)
            .Produces<QuotasDto>()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/tenants/{tenant}/alerts", ListAlerts)
            .Produces<AlertDto[]>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/tenants/{tenant}/events/{id}/cascade", GetCascade)
            .Produces<CascadeDto>()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    private static async Task<IResult> PutQuotas(string tenant, string unit, HttpContext http, AccessControl access, IGrainFactory grains)
    {
        var (scope, index, problem) = await access.UnitAsync(http, tenant, unit, write: true);
        if (problem is not null)
        {
            return problem;
        }

        var (input, bodyProblem) = await JsonBody.ReadAsync<QuotasDto>(http.Request, 64 * 1024);
        if (bodyProblem is not null)
        {
            return bodyProblem;
        }

        var errors = new Dictionary<string, string[]>();
        var month = Caps(input!.Month, "month", errors);
        var year = Caps(input.Year, "year", errors);
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        var unitId = scope!.Tree.View.Units[index].Id;
        await grains.Reference<IUnitGrain>(GrainKeys.Unit(tenant, unitId)).SetQuotas(new Quotas(month, year), scope.Tree.Info.Alerts);
        return TypedResults.Ok(ToDto(new Quotas(month, year)));
    }

    private static async Task<IResult> GetQuotas(string tenant, string unit, HttpContext http, AccessControl access, IGrainFactory grains)
    {
        var (scope, index, problem) = await access.UnitAsync(http, tenant, unit, write: false);
        return problem ?? TypedResults.Ok(ToDto(await grains.Reference<IUnitGrain>(GrainKeys.Unit(tenant, scope!.Tree.View.Units[index].Id)).GetQuotas()));
    }

    private static async Task<IResult> ListAlerts(string tenant, string? unit, string? since, string? type, HttpContext http, AccessControl access, IGrainFactory grains)
    {
        var (scope, problem) = await access.TenantAsync(http, tenant, write: false);
        if (problem is not null)
        {
            return problem;
        }

        var view = scope!.Tree.View;
        var (root, unitProblem) = AccessControl.SubtreeOf(scope, unit);
        if (unitProblem is not null)
        {
            return unitProblem;
        }

        DateTimeOffset? from = null;
        if (since is not null)
        {
            if (!DateTimeOffset.TryParse(since, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
            {
                return Problems.BadRequest("since must be an RFC 3339 timestamp, e.g. 2026-11-01T00:00:00+08:00.");
            }

            from = parsed;
        }

        if (type is not null && !AlertTypes.All.Contains(type))
        {
            return Problems.BadRequest($"type must be one of {string.Join(", ", AlertTypes.All.Order(StringComparer.Ordinal))}.");
        }

        // A report past its due time raises its alert on the first look after a restart, timers aside.
        await grains.Reference<IReportsGrain>(tenant).RaiseOverdue();
        var alerts = root < 0 ? [] : await grains.Reference<IAlertsGrain>(tenant).List(from, type);
        bool Inside(string id) => view.TryGetIndex(id, out var i) && view.IsWithin(i, root);
        var zone = scope.Tree.Zone;
        return TypedResults.Ok(alerts
            .Where(a => Inside(a.Unit) || a.Affected.Any(Inside))
            .Select(a => AlertDto.From(a, zone))
            .ToArray());
    }

    private static async Task<IResult> GetCascade(string tenant, string id, HttpContext http, AccessControl access, IGrainFactory grains)
    {
        var (scope, problem) = await access.TenantAsync(http, tenant, write: false);
        if (problem is not null)
        {
            return problem;
        }

        var eventId = RouteValues.Id(id);
        var view = Ids.IsUnitOrEventId(eventId) ? await grains.Reference<ICascadeGrain>(tenant).Get(eventId) : null;
        if (view is null)
        {
            return scope!.CoversTenant ? Problems.NotFound($"Event '{eventId}' is not known.") : Problems.Forbidden();
        }

        // A member sees the cascades of events its subtree issued or received.
        var tree = scope!.Tree.View;
        bool Visible(string unit) => tree.TryGetIndex(unit, out var i) && scope.MaySee(i);
        if (!scope.CoversTenant && !Visible(view.EventSource) && !view.EventTargets.Any(Visible))
        {
            return Problems.Forbidden();
        }

        return TypedResults.Ok(new CascadeDto(view.Root, [.. view.Layers.Select(l => new CascadeLayerDto(l.Depth, l.Events, l.Deliveries))], view.TotalEvents));
    }

    private static Dictionary<EventKind, long> Caps(Dictionary<string, long>? caps, string field, Dictionary<string, string[]> errors)
    {
        var result = new Dictionary<EventKind, long>();
        foreach (var (name, cap) in caps ?? [])
        {
            if (!EventKinds.TryParse(name, out var kind))
            {
                errors[$"{field}.{name}"] = ["not a kind: use document, meeting, inspection, dataRequest, digitalDemand or overreach"];
            }
            else if (cap is < 0 or > 10_000_000)
            {
                errors[$"{field}.{name}"] = ["a cap must be between 0 and 10000000"];
            }
            else
            {
                result[kind] = cap;
            }
        }

        return result;
    }

    private static QuotasDto ToDto(Quotas quotas) => new()
    {
        Month = quotas.Month.OrderBy(p => p.Key).ToDictionary(p => p.Key.Name(), p => p.Value),
        Year = quotas.Year.OrderBy(p => p.Key).ToDictionary(p => p.Key.Name(), p => p.Value),
    };
}
