using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Oversight.Grains.Hosting;

namespace Oversight.Tests.Cluster;

/// <summary>What <see cref="OversightCluster.AddOversightCluster"/> configures, read from a built (not started) silo host.</summary>
public sealed class ClusterSetupTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Fact]
    public void ASiloRereadsTheMembershipTableEveryTenSeconds()
    {
        // A restarted silo's claim that its previous generation is dead can lose a write race and
        // is retried only at the next refresh: Orleans' 60 s left grains unplaceable that long.
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["Orleans:Endpoints:SiloPort"] = Ports.Free().ToString(System.Globalization.CultureInfo.InvariantCulture);
        builder.Configuration["Orleans:Endpoints:GatewayPort"] = Ports.Free().ToString(System.Globalization.CultureInfo.InvariantCulture);
        builder.UseOrleans(silo => silo.AddOversightCluster(builder.Configuration, redis.ConnectionString));
        using var host = builder.Build();

        var membership = host.Services.GetRequiredService<IOptions<ClusterMembershipOptions>>().Value;
        Assert.Equal(TimeSpan.FromSeconds(10), membership.TableRefreshTimeout);
    }
}
