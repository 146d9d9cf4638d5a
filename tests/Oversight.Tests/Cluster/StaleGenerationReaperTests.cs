using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.TestingHost;
using Oversight.Grains.Hosting;

namespace Oversight.Tests.Cluster;

/// <summary>
/// The reaper against a real membership table (the test cluster's own): it declares exactly the
/// earlier generations on its silo's address dead, and nothing else. The rows are for an address no
/// silo uses and are never Active, so the cluster's own silo neither probes them nor hashes grains to them.
/// </summary>
public sealed class StaleGenerationReaperTests : IAsyncLifetime
{
    private static readonly IPEndPoint Address = new(IPAddress.Parse("127.0.0.2"), 4242);
    private TestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        _cluster = new TestClusterBuilder(1).Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task OnlyEarlierGenerationsOnTheSilosOwnAddressAreDeclaredDead()
    {
        var services = Assert.IsType<InProcessSiloHandle>(_cluster.Primary).ServiceProvider;
        var table = services.GetRequiredService<IMembershipTable>();
        var earlier = SiloAddress.New(Address, 900);
        var later = SiloAddress.New(Address, 1100);
        var elsewhere = SiloAddress.New(new IPEndPoint(Address.Address, Address.Port + 1), 900);
        foreach (var silo in new[] { earlier, later, elsewhere })
        {
            var version = (await table.ReadAllAsync()).Version;
            Assert.True(await table.InsertRowAsync(Joining(silo), version.Next()));
        }

        var reaper = new StaleGenerationReaper(table, services.GetRequiredService<IClusterMembershipService>(), new Local(SiloAddress.New(Address, 1000)), NullLogger<StaleGenerationReaper>.Instance);
        Assert.Equal((1, true), await reaper.ReapOnceAsync());

        var rows = (await table.ReadAllAsync()).Members.ToDictionary(m => m.Item1.SiloAddress, m => m.Item1.Status);
        Assert.Equal(SiloStatus.Dead, rows[earlier]);
        Assert.Equal(SiloStatus.Joining, rows[later]);
        Assert.Equal(SiloStatus.Joining, rows[elsewhere]);

        // Nothing left to do: the next pass writes nothing.
        Assert.Equal((0, false), await reaper.ReapOnceAsync());

        // The silo's own view follows the table once the reaper has asked while it still held the
        // earlier generation alive; then there is nothing more to ask.
        var membership = services.GetRequiredService<IClusterMembershipService>();
        await reaper.RefreshViewOnceAsync();
        Assert.Equal(SiloStatus.Dead, membership.CurrentSnapshot.GetSiloStatus(earlier));
        Assert.False(await reaper.RefreshViewOnceAsync());
    }

    private static MembershipEntry Joining(SiloAddress silo) => new()
    {
        SiloAddress = silo,
        Status = SiloStatus.Joining,
        SiloName = $"fake-{silo.Generation}",
        HostName = "fake",
        StartTime = DateTime.UtcNow,
        IAmAliveTime = DateTime.UtcNow,
    };

    private sealed class Local(SiloAddress address) : ILocalSiloDetails
    {
        public string Name => "reaper-test";

        public string ClusterId => "reaper-test";

        public string DnsHostName => "localhost";

        public SiloAddress SiloAddress => address;

        public SiloAddress GatewayAddress => address;
    }
}
