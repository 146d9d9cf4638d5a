using Oversight.Domain;
using Oversight.Gateway.Access;
using Oversight.Gateway.Auth;
using Oversight.Gateway.Http;
using Oversight.Grains;

namespace Oversight.Gateway.Api;

/// <summary><c>API.md</c>, Tenants.</summary>
public static class TenantsApi
{
    public const string DefaultTimeZone = "Asia/Shanghai";

    public static RouteGroupBuilder MapTenantsApi(this RouteGroupBuilder api)
    {
        api.MapPut("/tenants/{tenant}", PutTenant)
            .Produces<TenantDto>(StatusCodes.Status201Created)
            .Produces<TenantDto>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict);
        api.MapGet("/tenants", ListTenants).Produces<TenantDto[]>();
        api.MapGet("/tenants/{tenant}", GetTenant)
            .Produces<TenantDto>()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    private static async Task<IResult> PutTenant(string tenant, HttpContext http, IGrainFactory grains)
    {
        if (Caller.From(http.User) is not { IsAdmin: true })
        {
            return Problems.Forbidden();
        }

        if (!Ids.IsTenantId(tenant))
        {
            return Problems.Invalid(new Dictionary<string, string[]> { ["tenant"] = ["tenant id must match ^[a-z0-9][a-z0-9-]{0,62}$"] });
        }

        var (input, problem) = await JsonBody.ReadAsync<TenantInput>(http.Request, 64 * 1024);
        if (problem is not null)
        {
            return problem;
        }

        var errors = new Dictionary<string, string[]>();
        if (!Text.IsCleanLine(input!.Name, UnitTreeRules.MaxNameLength))
        {
            errors["name"] = [$"name is required: 1..{UnitTreeRules.MaxNameLength} characters without control characters"];
        }

        var timeZone = input.TimeZone ?? DefaultTimeZone;
        if (!IsIanaZone(timeZone))
        {
            errors["timeZone"] = [$"'{(timeZone.Length > 64 ? timeZone[..64] : timeZone)}' is not an IANA time zone such as Asia/Shanghai"];
        }

        var alerts = input.AlertSettings;
        if (alerts?.ShortDeadlineHours is double h && !(h > 0 && h <= 720))
        {
            errors["alertSettings.shortDeadlineHours"] = ["shortDeadlineHours must be greater than 0 and at most 720"];
        }

        if (alerts?.DuplicateWindowDays is < 1 or > 365)
        {
            errors["alertSettings.duplicateWindowDays"] = ["duplicateWindowDays must be between 1 and 365"];
        }

        if (alerts?.CascadeLimit is < 1 or > 100_000)
        {
            errors["alertSettings.cascadeLimit"] = ["cascadeLimit must be between 1 and 100000"];
        }

        if (alerts?.ReportDueDays is < 1 or > 365)
        {
            errors["alertSettings.reportDueDays"] = ["reportDueDays must be between 1 and 365"];
        }

        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        var grain = grains.Reference<ITenantGrain>(tenant);
        var thresholds = alerts is null ? null : new AlertThresholds(alerts.ShortDeadlineHours, alerts.DuplicateWindowDays, alerts.CascadeLimit, alerts.ReportDueDays);
        var result = await grain.Upsert(input.Name!, timeZone, thresholds);
        if (result == TenantUpsertResult.TimeZoneLocked)
        {
            return Problems.Conflict("The time zone cannot change once events have been counted in the tenant's local days.");
        }

        var dto = TenantDto.From((await grain.GetInfo())!);
        return result == TenantUpsertResult.Created
            ? TypedResults.Created($"/api/v1/tenants/{tenant}", dto)
            : TypedResults.Ok(dto);
    }

    private static async Task<IResult> ListTenants(HttpContext http, IGrainFactory grains)
    {
        var caller = Caller.From(http.User);
        if (caller is null)
        {
            return Problems.Forbidden();
        }

        var ids = await grains.Reference<ITenantDirectoryGrain>(ITenantDirectoryGrain.Key).List();
        var infos = await Task.WhenAll(ids.Where(caller.MayRead).Select(id => grains.Reference<ITenantGrain>(id).GetInfo()));
        return TypedResults.Ok(infos.OfType<TenantInfo>().Select(TenantDto.From).ToArray());
    }

    private static async Task<IResult> GetTenant(string tenant, HttpContext http, AccessControl access)
    {
        var (scope, problem) = await access.TenantAsync(http, tenant, write: false);
        return problem ?? TypedResults.Ok(TenantDto.From(scope!.Tree.Info));
    }

    private static bool IsIanaZone(string id) =>
        id.Length <= 64 && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) && zone.HasIanaId;
}
