using Microsoft.Extensions.Configuration;

namespace Oversight.Grains.Hosting;

/// <summary>The <c>Orleans:*</c> settings of <c>API.md</c>'s configuration table.</summary>
public static class ClusterSettings
{
    public static (string ClusterId, string ServiceId, int SiloPort, int GatewayPort) Read(IConfiguration configuration) => (
        configuration.GetValue("Orleans:ClusterId", "oversight")!,
        configuration.GetValue("Orleans:ServiceId", "oversight")!,
        configuration.GetValue("Orleans:Endpoints:SiloPort", 11111),
        configuration.GetValue("Orleans:Endpoints:GatewayPort", 30000));
}
