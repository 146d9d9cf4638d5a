using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Oversight.Tests.Api;

namespace Oversight.Tests.Security;

/// <summary>One API endpoint as the app's own route table declares it.</summary>
public sealed record ApiRoute(string Method, string Pattern)
{
    public bool IsWrite => Method is "PUT" or "POST" or "PATCH" or "DELETE";

    public bool NamesTenant => Pattern.Contains("{tenant}", StringComparison.Ordinal);

    public bool NamesUnit => Pattern.Contains("{unit}", StringComparison.Ordinal);

    /// <summary>The path with the given values in place of the route parameters.</summary>
    public string Path(string tenant, string unit, string eventId) => "/" + Pattern
        .Replace("{tenant}", tenant, StringComparison.Ordinal)
        .Replace("{unit}", Uri.EscapeDataString(unit), StringComparison.Ordinal)
        .Replace("{id}", Uri.EscapeDataString(eventId), StringComparison.Ordinal)
        + Query;

    /// <summary>A query that makes the request valid, so only scope can refuse it.</summary>
    private string Query => Pattern switch
    {
        _ when Pattern.EndsWith("/load", StringComparison.Ordinal) => "?period=2026&children=true",
        _ when Pattern.EndsWith("/trend", StringComparison.Ordinal) => "?from=2026-01&to=2026-02",
        _ when Pattern.EndsWith("/live", StringComparison.Ordinal) => "?period=2026",
        _ => "",
    };

    /// <summary>Every <c>/api</c> endpoint of the running app, from its route table (new endpoints join automatically).</summary>
    public static IReadOnlyList<ApiRoute> All(GatewayFixture gateway) =>
        [.. gateway.Services.GetServices<EndpointDataSource>()
            .SelectMany(source => source.Endpoints)
            .OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } raw && raw.StartsWith("/api/v1", StringComparison.Ordinal) && !raw.Contains("**", StringComparison.Ordinal))
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => new ApiRoute(m, e.RoutePattern.RawText!.TrimStart('/'))))
            .Distinct()
            .OrderBy(r => r.Pattern, StringComparer.Ordinal).ThenBy(r => r.Method, StringComparer.Ordinal)];

    public override string ToString() => $"{Method} /{Pattern}";
}
