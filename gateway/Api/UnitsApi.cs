using Oversight.Domain;
using Oversight.Gateway.Access;
using Oversight.Gateway.Http;
using Oversight.Grains;

namespace Oversight.Gateway.Api;

/// <summary><c>API.md</c>, Units: the group's tree.</summary>
public static class UnitsApi
{
    public static RouteGroupBuilder MapUnitsApi(this RouteGroupBuilder api)
    {
        api.MapPut("/tenants/{tenant}/units", PutUnits)
            .Produces<UnitUpsertResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        api.MapGet("/tenants/{tenant}/units/{unit}", GetUnit)
            .Produces<UnitDto>()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    private static async Task<IResult> PutUnits(string tenant, HttpContext http, AccessControl access, IGrainFactory grains)
    {
        var (scope, problem) = await access.TenantAsync(http, tenant, write: true);
        if (problem is not null)
        {
            return problem;
        }

        var (batch, bodyProblem) = await JsonBody.ReadAsync<List<UnitInput?>>(http.Request);
        if (bodyProblem is not null)
        {
            return bodyProblem;
        }

        if (batch!.Count > UnitTreeRules.MaxBatch)
        {
            return Problems.TooLarge($"An upsert holds at most {UnitTreeRules.MaxBatch} units; this one holds {batch.Count}.");
        }

        var errors = new Dictionary<string, string[]>();
        var records = UnitTreeRules.ValidateFields(batch, errors);
        if (records is null)
        {
            return Problems.Invalid(errors, "The batch was rejected whole; nothing changed.");
        }

        var scopeUnit = scope!.Caller.IsMember ? scope.Caller.Unit : null;
        var change = await grains.Reference<ITenantGrain>(tenant).UpsertUnits([.. records], scopeUnit);
        return change.Status switch
        {
            TreeChangeStatus.Forbidden => Problems.Forbidden(),
            TreeChangeStatus.Invalid => Problems.Invalid(change.Errors, "The batch was rejected whole; nothing changed."),
            _ => TypedResults.Ok(new UnitUpsertResponse(change.Created, change.Updated, change.Moved.Length, scope.Tree.Info.Units + change.Created)),
        };
    }

    private static async Task<IResult> GetUnit(string tenant, string unit, HttpContext http, AccessControl access)
    {
        var (scope, index, problem) = await access.UnitAsync(http, tenant, unit, write: false);
        if (problem is not null)
        {
            return problem;
        }

        var view = scope!.Tree.View;
        var u = view.Units[index];
        return TypedResults.Ok(new UnitDto(u.Id, u.Name, u.ParentId, u.Headcount, u.Kind, view.Path(index), [.. view.Children[index].Select(c => view.Units[c].Id)]));
    }
}
