using Oversight.Grains.Hosting;

namespace Oversight.Gateway.Hosting;

/// <summary>Where the gateway's grains live: in its own process (embedded default) or in a cluster.</summary>
public static partial class OrleansHosting
{
    public static void AddOversightOrleans(this IHostApplicationBuilder builder)
    {
        var redis = builder.Configuration.GetConnectionString("Redis");
        if (!string.IsNullOrEmpty(redis))
        {
            throw new InvalidOperationException(
                "ConnectionStrings__Redis is set, but this build serves only the embedded default (cluster mode is tracked by issue #3). Unset it to run one process with in-memory state.");
        }

        builder.UseOrleans(silo => silo.AddOversightEmbedded(builder.Configuration));
    }
}
