using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;
using Oversight.Gateway.Access;
using Oversight.Gateway.Api;
using Oversight.Gateway.Auth;
using Oversight.Gateway.Hosting;
using Oversight.Gateway.Http;
using Oversight.Gateway.Ingest;
using Oversight.Gateway.Telemetry;

namespace Oversight.Gateway;

/// <summary>The gateway's registrations and routes.</summary>
public static class GatewaySetup
{
    public static void AddOversightGateway(this IHostApplicationBuilder builder)
    {
        builder.AddOversightOrleans();
        builder.AddOversightAuth();
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<TreeCache>();
        services.AddSingleton<AccessControl>();
        services.AddSingleton<EventIngest>();
        services.AddSingleton<LoadReader>();
        services.AddSingleton<OversightMetrics>();
        services.AddHostedService<StartupBanner>();
        services.AddProblemDetails();
        services.AddExceptionHandler<ProblemExceptionHandler>();
        services.AddOpenApi();
        services.AddHealthChecks().AddCheck<ClusterHealthCheck>("cluster", tags: ["ready"]);
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(OversightMetrics.MeterName, "Microsoft.Orleans")
            .AddAspNetCoreInstrumentation()
            .AddRuntimeInstrumentation()
            .AddPrometheusExporter());
    }

    public static void MapOversightGateway(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.UseAuthentication();
        app.UseAuthorization();

        var api = app.MapGroup("/api/v1").RequireAuthorization();
        api.MapTenantsApi();
        api.MapUnitsApi();
        api.MapEventsApi();
        api.MapLoadApi();
        api.MapGovernanceApi();
        // Unknown paths under /api answer 401 before 404: nothing about the API's shape is anonymous.
        app.MapFallback("/api/{**rest}", () => Problems.NotFound("No such endpoint.")).RequireAuthorization();

        app.MapOpenApi();
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new() { Predicate = check => check.Tags.Contains("ready"), ResultStatusCodes = { [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable } });
        app.MapPrometheusScrapingEndpoint("/metrics");
    }
}
