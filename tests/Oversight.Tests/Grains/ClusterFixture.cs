using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.TestingHost;
using Oversight.Grains;
using Oversight.Grains.Hosting;
using Oversight.Grains.Log;
using Oversight.Grains.Storage;

namespace Oversight.Tests.Grains;

/// <summary>One in-process test cluster shared by the grain tests; each test uses a fresh tenant.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.GrainFactory;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(1);
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            silo.AddOversightLocalStores();

            // The units' store again, wrapped so that a test can hold a unit's write (the last
            // registration of a name is the one grains get).
            silo.Services.AddGrainStorage(StorageNames.Units, (services, _) =>
                new HoldingGrainStore(new LocalGrainStore(services.GetRequiredService<Serializer>())));
            silo.Services.AddSingleton<IEventLog>(new FailingEventLog(new MemoryEventLog()));
            silo.AddOversightGrains();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
