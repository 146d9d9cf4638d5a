using Microsoft.Extensions.Diagnostics.HealthChecks;
using Oversight.Grains;

namespace Oversight.Gateway.Hosting;

/// <summary>Ready when the cluster answers a grain call.</summary>
public sealed class ClusterHealthCheck(IGrainFactory grains) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await grains.Reference<ITenantDirectoryGrain>(ITenantDirectoryGrain.Key).List().WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            return HealthCheckResult.Healthy("The cluster answers.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("The cluster does not answer.");
        }
    }
}
