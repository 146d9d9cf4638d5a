using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Oversight.Grains.Hosting;

/// <summary>Silo setup shared by the silo host and the gateway's embedded default.</summary>
public static class OversightSilo
{
    /// <summary>
    /// Configures a single localhost silo with in-memory grain state: the embedded default.
    /// Ports come from <c>Orleans:Endpoints:SiloPort</c> / <c>GatewayPort</c> (defaults 11111, 30000).
    /// </summary>
    public static ISiloBuilder AddOversightEmbedded(this ISiloBuilder silo, IConfiguration configuration)
    {
        var siloPort = configuration.GetValue("Orleans:Endpoints:SiloPort", 11111);
        var gatewayPort = configuration.GetValue("Orleans:Endpoints:GatewayPort", 30000);
        var clusterId = configuration.GetValue("Orleans:ClusterId", "oversight")!;
        var serviceId = configuration.GetValue("Orleans:ServiceId", "oversight")!;
        silo.UseLocalhostClustering(siloPort, gatewayPort, serviceId: serviceId, clusterId: clusterId);
        silo.AddMemoryGrainStorage(StorageNames.Store);
        silo.Services.AddSingleton(TimeProvider.System);
        return silo;
    }
}
