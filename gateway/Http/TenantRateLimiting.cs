using System.Globalization;
using System.Threading.RateLimiting;

namespace Oversight.Gateway.Http;

/// <summary>Rate limits (section <c>Oversight:RateLimit</c>).</summary>
public sealed class RateLimitOptions
{
    public const string Section = "Oversight:RateLimit";

    /// <summary>Requests per tenant per window.</summary>
    public int PermitsPerWindow { get; set; } = 60_000;

    /// <summary>Window length in seconds.</summary>
    public int WindowSeconds { get; set; } = 60;
}

/// <summary>
/// One noisy tenant cannot starve another: every <c>/api</c> request is counted against the
/// tenant it names (or, for tenant-less paths, the caller's own tenant claim), with ASP.NET Core's
/// built-in limiter. Refusals are 429 problems with <c>Retry-After</c>.
/// </summary>
public static class TenantRateLimiting
{
    public const string Policy = "per-tenant";

    public static void AddTenantRateLimiting(this IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(RateLimitOptions.Section).Get<RateLimitOptions>() ?? new RateLimitOptions();
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(Policy, http => RateLimitPartition.GetFixedWindowLimiter(PartitionKey(http), _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = options.PermitsPerWindow,
                Window = TimeSpan.FromSeconds(options.WindowSeconds),
                QueueLimit = 0,
            }));
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(options.WindowSeconds);
                context.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await Problems.Problem(StatusCodes.Status429TooManyRequests, "Too many requests", "This tenant has used its request budget for now; retry after the time in Retry-After.")
                    .ExecuteAsync(context.HttpContext);
            };
        });
    }

    private static string PartitionKey(HttpContext http)
    {
        if (http.Request.RouteValues.TryGetValue("tenant", out var tenant) && tenant is string t)
        {
            return "tenant:" + t;
        }

        return http.User.FindFirst(Auth.Roles.TenantClaim)?.Value is { } own ? "tenant:" + own : "global";
    }
}
