using Oversight.Gateway.Access;
using Oversight.Gateway.Http;
using Oversight.Gateway.Ingest;

namespace Oversight.Gateway.Api;

/// <summary><c>API.md</c>, Events: batch ingest as a JSON array or NDJSON.</summary>
public static class EventsApi
{
    public static RouteGroupBuilder MapEventsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/tenants/{tenant}/events", PostEvents)
            .Produces<IngestResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        return api;
    }

    private static async Task<IResult> PostEvents(string tenant, HttpContext http, AccessControl access, EventIngest ingest)
    {
        var (scope, problem) = await access.TenantAsync(http, tenant, write: true);
        if (problem is not null)
        {
            return problem;
        }

        var ndjson = JsonBody.IsNdJson(http.Request);
        if (!ndjson && !JsonBody.IsJson(http.Request))
        {
            return Problems.UnsupportedMediaType("Send events as application/json (an array) or application/x-ndjson.");
        }

        var (body, bodyProblem) = await JsonBody.ReadBytesAsync(http.Request);
        if (bodyProblem is not null)
        {
            return bodyProblem;
        }

        List<ParsedEvent>? batch;
        IResult? parseProblem;
        using (body)
        {
            batch = EventBatchParser.Parse(body!.Memory, ndjson, out parseProblem);
        }

        return parseProblem ?? TypedResults.Ok(await ingest.IngestAsync(scope!, batch!));
    }
}
