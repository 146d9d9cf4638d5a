using Orleans.Configuration;
using Oversight.Grains.Hosting;

namespace Oversight.Gateway.Hosting;

/// <summary>Where the gateway's grains live: in its own process (embedded default) or in a Redis-backed cluster.</summary>
public static class OrleansHosting
{
    /// <summary>True when the gateway co-hosts its silo.</summary>
    public static bool IsEmbedded(IConfiguration configuration) => string.IsNullOrEmpty(configuration.GetConnectionString("Redis"));

    public static void AddOversightOrleans(this IHostApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var redis = configuration.GetConnectionString("Redis");
        if (string.IsNullOrEmpty(redis))
        {
            builder.UseOrleans(silo => silo.AddOversightEmbedded(configuration));
            return;
        }

        // Fail fast on an unreachable Redis rather than serving 503s forever.
        var connection = OversightCluster.Connect(redis);
        var (clusterId, serviceId, _, _) = ClusterSettings.Read(configuration);
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = serviceId;
            });
            client.UseRedisClustering(o => o.ConfigurationOptions = StackExchange.Redis.ConfigurationOptions.Parse(connection.Configuration));
        });
        connection.Dispose();
    }
}
