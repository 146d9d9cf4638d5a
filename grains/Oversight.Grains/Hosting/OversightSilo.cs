using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Oversight.Grains.Log;
using Oversight.Grains.Storage;

namespace Oversight.Grains.Hosting;

/// <summary>Silo setup shared by the silo host and the gateway's embedded default.</summary>
public static class OversightSilo
{
    /// <summary>
    /// The embedded default: a single localhost silo with in-memory grain state and log. Ports
    /// come from <c>Orleans:Endpoints:SiloPort</c> / <c>GatewayPort</c> (defaults 11111, 30000).
    /// </summary>
    public static ISiloBuilder AddOversightEmbedded(this ISiloBuilder silo, IConfiguration configuration)
    {
        var (clusterId, serviceId, siloPort, gatewayPort) = ClusterSettings.Read(configuration);
        silo.UseLocalhostClustering(siloPort, gatewayPort, serviceId: serviceId, clusterId: clusterId);
        silo.AddOversightLocalStores();
        silo.Services.AddSingleton<IEventLog, MemoryEventLog>();
        return silo.AddOversightGrains();
    }

    /// <summary>
    /// Grain state in the silo's own memory (<see cref="LocalGrainStore"/>), in Orleans' binary
    /// format rather than the JSON default: checkpoints are frequent and large. Reminders are kept
    /// in memory too.
    /// </summary>
    public static ISiloBuilder AddOversightLocalStores(this ISiloBuilder silo)
    {
        silo.UseInMemoryReminderService();
        foreach (var store in new[] { StorageNames.Store, StorageNames.Units })
        {
            silo.Services.AddGrainStorage(store, (services, _) => new LocalGrainStore(services.GetRequiredService<Serializer>()));
        }

        return silo;
    }

    /// <summary>What every silo needs besides clustering, storage and the log.</summary>
    public static ISiloBuilder AddOversightGrains(this ISiloBuilder silo)
    {
        silo.Services.TryAddSingleton(TimeProvider.System);

        silo.Services.TryAddSingleton<LedgerLog>();
        silo.Services.TryAddSingleton<Ledger.LedgerConfirmations>();
        silo.Services.TryAddSingleton<Units.UnitTicks>();
        silo.Services.TryAddSingleton<Units.UnitWakes>();
        return silo;
    }
}
