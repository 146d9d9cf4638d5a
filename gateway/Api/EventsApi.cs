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

        if (parseProblem is not null)
        {
            return parseProblem;
        }

        // RFC 7240: a client backfilling history may prefer the answer as soon as its events are
        // durable, without waiting for them to be counted (the backlog stays bounded).
        var backfill = PrefersRespondAsync(http.Request);
        var answer = await ingest.IngestAsync(scope!, batch!, backfill);
        if (backfill)
        {
            http.Response.Headers["Preference-Applied"] = "respond-async";
        }

        return TypedResults.Ok(answer);
    }

    /// <summary>Whether a <c>Prefer</c> header holds the <c>respond-async</c> preference.</summary>
    public static bool PrefersRespondAsync(HttpRequest request)
    {
        foreach (var header in request.Headers["Prefer"])
        {
            foreach (var preference in (header ?? "").Split(','))
            {
                var token = preference.Split(';', 2)[0].Split('=', 2)[0].Trim();
                if (token.Equals("respond-async", StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
