using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.TestingHost;
using Oversight.Governance;
using Oversight.Grains;
using Oversight.Grains.Governance;
using Oversight.Grains.Log;

namespace Oversight.Tests.Grains;

[Collection(ClusterCollection.Name)]
public sealed class AlertsGrainTests(ClusterFixture fixture)
{
    private readonly string _tenant = "t-" + Guid.NewGuid().ToString("N")[..12];

    private static Alert Alert(int n) => new($"shortDeadline:e{n}", AlertTypes.ShortDeadline, "hq", ["a"], $"e{n}", "2026-11-26", DateTimeOffset.UnixEpoch.AddMinutes(n), $"alert {n}");

    [Fact]
    public async Task ConcurrentRaisesWriteEachAlertOnceAndAnswerWhenItIsLogged()
    {
        var alerts = fixture.Grains.GetGrain<IAlertsGrain>(_tenant);

        // Forty callers at once, each raising two of ten alerts (every alert by eight callers).
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => alerts.Raise([Alert(i % 10), Alert((i + 1) % 10)])));
        await alerts.Raise([Alert(3)]);

        Assert.Equal(Enumerable.Range(0, 10).Select(n => $"shortDeadline:e{n}").Order(StringComparer.Ordinal),
            (await alerts.List(null, null)).Select(a => a.Id).Order(StringComparer.Ordinal));

        // What the log holds (and a restart would read back): each alert exactly once.
        var silo = Assert.IsType<InProcessSiloHandle>(fixture.Cluster.Primary);
        var log = silo.SiloHost!.Services.GetRequiredService<IEventLog>();
        var serializer = silo.SiloHost.Services.GetRequiredService<Serializer<AlertBatch>>();
        var logged = new List<string>();
        await foreach (var bytes in log.ReadAllAsync(_tenant, AlertsGrain.LogShard))
        {
            logged.AddRange(serializer.Deserialize(bytes)!.Alerts.Select(a => a.Id));
        }

        Assert.Equal(Enumerable.Range(0, 10).Select(n => $"shortDeadline:e{n}").Order(StringComparer.Ordinal), logged.Order(StringComparer.Ordinal));
    }
}
