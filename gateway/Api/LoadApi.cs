using Oversight.Domain;
using Oversight.Gateway.Access;
using Oversight.Gateway.Http;
using Oversight.Grains;

namespace Oversight.Gateway.Api;

/// <summary><c>API.md</c>, Load: the live counters and their roll-up, and trends.</summary>
public static class LoadApi
{
    /// <summary>Most points of one trend answer.</summary>
    public const int MaxTrendDays = 400;
    public const int MaxTrendMonths = 120;

    public static RouteGroupBuilder MapLoadApi(this RouteGroupBuilder api)
    {
        api.MapGet("/tenants/{tenant}/units/{unit}/load", GetLoad)
            .Produces<LoadResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/tenants/{tenant}/units/{unit}/trend", GetTrend)
            .Produces<TrendResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    private static async Task<IResult> GetLoad(string tenant, string unit, string? period, string? children, HttpContext http, AccessControl access, LoadReader reader)
    {
        var (scope, index, problem) = await access.UnitAsync(http, tenant, unit, write: false);
        if (problem is not null)
        {
            return problem;
        }

        bool withChildren;
        if (children is null)
        {
            withChildren = false;
        }
        else if (!bool.TryParse(children, out withChildren))
        {
            return Problems.BadRequest("children must be true or false.");
        }

        return await reader.ReadAsync(scope!, index, period, withChildren) is var (load, error) && error is not null
            ? Problems.BadRequest(error)
            : TypedResults.Ok(load);
    }

    private static async Task<IResult> GetTrend(string tenant, string unit, string? from, string? to, string? yoy, HttpContext http, AccessControl access, IGrainFactory grains)
    {
        var (scope, index, problem) = await access.UnitAsync(http, tenant, unit, write: false);
        if (problem is not null)
        {
            return problem;
        }

        var maxPoints = from?.Length == 7 ? MaxTrendMonths : MaxTrendDays;
        if (!Period.TryParseRange(from, to, maxPoints, out var range, out var error))
        {
            return Problems.BadRequest(error);
        }

        var withYoy = false;
        if (yoy is not null && !bool.TryParse(yoy, out withYoy))
        {
            return Problems.BadRequest("yoy must be true or false.");
        }

        var view = scope!.Tree.View;
        var grain = grains.Reference<IUnitGrain>(GrainKeys.Unit(tenant, view.Units[index].Id));
        var series = await grain.GetSubtreeSeries(range);
        var points = series.Select((v, i) => new TrendPoint(PeriodRange.Format(range.Granularity, range.From + i), SubtreeLoad.From(v, view, index))).ToArray();
        if (withYoy)
        {
            // A year back, bucket by bucket (a leap day maps to 28 February).
            int Back(int key) => range.Granularity == PeriodGranularity.Month ? key - 12 : DateOnly.FromDayNumber(key).AddYears(-1).DayNumber;
            var earlier = new PeriodRange(range.Granularity, Back(range.From), Back(range.To));
            var previous = await grain.GetSubtreeSeries(earlier);
            points = [.. points.Select((p, i) =>
            {
                var before = previous[Back(range.From + i) - earlier.From];
                var change = EventKinds.Names.Select((name, k) => (name, before[k] == 0 ? (double?)null : Math.Round((series[i][k] - before[k]) * 100.0 / before[k], 1)))
                    .ToDictionary(c => c.name, c => c.Item2);
                return p with { PreviousYear = SubtreeLoad.From(before, view, index), Change = change };
            })];
        }

        return TypedResults.Ok(new TrendResponse(tenant, view.Units[index].Id, range.Granularity == PeriodGranularity.Month ? "month" : "day", points));
    }
}

/// <summary>Reads a unit's load answer (used by the load endpoint and the live stream).</summary>
public sealed class LoadReader(IGrainFactory grains, TimeProvider clock)
{
    public async Task<(LoadResponse? Load, string? Error)> ReadAsync(TenantScope scope, int unit, string? period, bool withChildren)
    {
        var tree = scope.Tree;
        var now = TimeZoneInfo.ConvertTime(clock.GetUtcNow(), tree.Zone);
        if (!Period.TryParse(period, DateOnly.FromDateTime(now.DateTime), out var range, out var error))
        {
            return (null, error);
        }

        var view = tree.View;
        var self = grains.Reference<IUnitGrain>(GrainKeys.Unit(scope.Tenant, view.Units[unit].Id)).GetLoad(range);
        var childIds = withChildren ? view.Children[unit] : [];
        var childLoads = childIds.Select(c => grains.Reference<IUnitGrain>(GrainKeys.Unit(scope.Tenant, view.Units[c].Id)).GetLoad(range)).ToArray();
        var load = await self;
        var kids = await Task.WhenAll(childLoads);
        return (new LoadResponse(
            scope.Tenant,
            view.Units[unit].Id,
            period!,
            Rfc3339.Format(now, tree.Zone),
            OwnLoad.From(load.Own),
            SubtreeLoad.From(load.Subtree, view, unit),
            withChildren ? [.. childIds.Select((c, i) => new ChildLoad(view.Units[c].Id, view.Units[c].Name, SubtreeLoad.From(kids[i].Subtree, view, c)))] : null), null);
    }
}
