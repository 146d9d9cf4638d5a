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
        builder.AddTenantRateLimiting();
        var services = builder.Services;

        // Bodies past 16 MiB are refused while reading; Kestrel's own cap sits just above, and its
        // minimum data rate (240 B/s after 5 s) and header timeout (30 s) drop slow clients.
        services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = JsonBody.MaxBytes + 1024 * 1024;
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(30);
        });
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<TreeCache>();
        services.AddSingleton<AccessControl>();
        services.AddSingleton<EventIngest>();
        services.AddSingleton<LoadReader>();
        services.AddSingleton<AlertFeed>();
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
        app.UseRateLimiter();

        var api = app.MapGroup("/api/v1").RequireAuthorization().RequireRateLimiting(TenantRateLimiting.Policy);
        api.MapTenantsApi();
        api.MapUnitsApi();
        api.MapEventsApi();
        api.MapLoadApi();
        api.MapGovernanceApi();
        api.MapReportsApi();
        api.MapCompareApi();
        api.MapLiveApi();
        // Unknown paths under /api answer 401 before 404: nothing about the API's shape is anonymous.
        app.MapFallback("/api/{**rest}", () => Problems.NotFound("No such endpoint.")).RequireAuthorization();

        app.MapOpenApi();
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new() { Predicate = check => check.Tags.Contains("ready"), ResultStatusCodes = { [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable } });
        app.MapPrometheusScrapingEndpoint("/metrics");
    }
}
