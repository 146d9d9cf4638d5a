using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using Oversight.Domain;
using Oversight.Grains;
using Oversight.Grains.Governance;
using Oversight.Grains.Hosting;

namespace Oversight.Tests.Cluster;

/// <summary>
/// Cluster mode on a real Redis: grain state and the ingest log in Redis, several silos, silos
/// killed and stopped mid-ingest, whole clusters torn down and started again on the same Redis.
/// </summary>
public sealed class RedisClusterTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private const string Tenant = "acme";
    private static readonly string[] Units = ["hq", "a", "b", "a1", "a2", "b1", "b2"];
    private static readonly Dictionary<string, string?> Parents = new()
    {
        ["hq"] = null, ["a"] = "hq", ["b"] = "hq", ["a1"] = "a", ["a2"] = "a", ["b1"] = "b", ["b2"] = "b",
    };

    private static readonly Oversight.Governance.AlertSettings Settings = new("Asia/Shanghai");
    private static readonly int Day = new DateOnly(2026, 10, 15).DayNumber;
    private static readonly PeriodRange October = new(PeriodGranularity.Month, 2026 * 12 + 9, 2026 * 12 + 9);

    private readonly string _serviceId = "svc-" + Guid.NewGuid().ToString("N")[..8];

    private async Task<TestCluster> StartAsync(short silos)
    {
        var builder = new TestClusterBuilder(silos);
        builder.Options.ServiceId = _serviceId;
        builder.Properties["Redis"] = redis.ConnectionString;
        builder.AddSiloBuilderConfigurator<RedisSilo>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    private sealed class RedisSilo : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            var connection = OversightCluster.Connect(silo.Configuration["Redis"]!);
            silo.AddOversightRedisState(connection, silo.Configuration["Orleans:ServiceId"] ?? silo.Configuration["ServiceId"]!);
        }
    }

    /// <summary>Kills every silo of <paramref name="cluster"/> and starts two new ones on the same Redis.</summary>
    private async Task<TestCluster> CrashAndRestartAsync(TestCluster cluster)
    {
        foreach (var silo in cluster.Silos.ToArray())
        {
            await cluster.KillSiloAsync(silo);
        }

        await cluster.DisposeAsync();
        return await StartAsync(2);
    }

    /// <summary>The row <paramref name="grain"/> keeps in the reminder table under <paramref name="name"/>, or null.</summary>
    private static Task<ReminderEntry?> ReminderOf(TestCluster cluster, IAddressable grain, string name) =>
        ((InProcessSiloHandle)cluster.Primary!).ServiceProvider.GetRequiredService<IReminderTable>().ReadRow(grain.GetGrainId(), name);

    private static async Task CreateTenantAsync(IGrainFactory grains)
    {
        var tenant = grains.GetGrain<ITenantGrain>(Tenant);
        await tenant.Upsert("Acme", "Asia/Shanghai");
        var change = await tenant.UpsertUnits([.. Units.Select(u => new UnitRecord(u, u, Parents[u], 1, "unit"))], null);
        Assert.Equal(TreeChangeStatus.Applied, change.Status);
    }

    private static LoggedEvent Event(int n) => new()
    {
        Id = $"ev-{n}",
        Kind = EventKind.Document,
        Source = "hq",
        Targets = [.. new[] { Units[1 + n % 6], Units[1 + (n / 6) % 6] }.Distinct()],
        Day = Day,
        OccurredAt = DateTimeOffset.UnixEpoch,
    };

    private static int Receipts(IEnumerable<LoggedEvent> events) => events.Sum(e => e.Targets.Distinct().Count());

    /// <summary>Sends a batch through the ledger shards, retrying until every shard acknowledges; returns how many were new.</summary>
    private static async Task<int> IngestUntilAcknowledgedAsync(IGrainFactory grains, LoggedEvent[] batch)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var answers = await Task.WhenAll(batch.GroupBy(e => LedgerShards.Of(e.Id)).Select(g =>
                    grains.GetGrain<IEventLedgerGrain>(GrainKeys.LedgerShard(Tenant, g.Key)).Ingest([.. g], Settings)));
                return answers.Sum(a => a.Count(fresh => fresh));
            }
            catch (Exception) when (attempt < 50)
            {
                await Task.Delay(50);
            }
        }
    }

    /// <summary>Polls the root's October subtree count until it equals <paramref name="expected"/> (or the deadline passes).</summary>
    private static async Task<long> RootReceiptsAsync(IGrainFactory grains, long expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        long seen = -1;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                seen = (await grains.GetGrain<IUnitGrain>(GrainKeys.Unit(Tenant, "hq")).GetLoad(October)).Subtree[LoadCounters.Received(EventKind.Document)];
                if (seen == expected)
                {
                    return seen;
                }
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                // A silo is leaving; ask again.
            }

            await Task.Delay(50);
        }

        return seen;
    }

    /// <summary>Polls the tenant's alerts until there are <paramref name="expected"/> (or the deadline passes).</summary>
    private static async Task<Oversight.Governance.Alert[]> AlertsAsync(IGrainFactory grains, int expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        var alerts = await grains.GetGrain<IAlertsGrain>(Tenant).List(null, null);
        while (alerts.Length < expected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
            alerts = await grains.GetGrain<IAlertsGrain>(Tenant).List(null, null);
        }

        return alerts;
    }

    [Fact]
    public async Task AcknowledgedEventsSurviveAFullCrashAndStayDuplicates()
    {
        var events = Enumerable.Range(0, 600).Select(Event).ToArray();
        var inspections = Enumerable.Range(0, 5).Select(n => Event(1_000 + n) with { Id = $"insp-{n}", Kind = EventKind.Inspection, Planned = false, InspectionDays = 1 }).ToArray();
        var first = await StartAsync(2);
        await CreateTenantAsync(first.GrainFactory);
        Assert.Equal(600, await IngestUntilAcknowledgedAsync(first.GrainFactory, events));
        Assert.Equal(5, await IngestUntilAcknowledgedAsync(first.GrainFactory, inspections));
        var reports = first.GrainFactory.GetGrain<IReportsGrain>(Tenant);
        var filed = await reports.File(new Oversight.Governance.ReportFiling("u1", "root", "meetings", "too many", true, [], "u1", "Asia/Shanghai"));
        await reports.File(new Oversight.Governance.ReportFiling("u2", "root", "documents", "too many", false, [], null, "Asia/Shanghai"));
        await reports.Resolve(filed.Id, "root", "merged");
        var second = await CrashAndRestartAsync(first);
        try
        {
            // rpt-2 is open, so the reminder that checks its due time is in Redis: it activates
            // the reports grain again without any request.
            var dueReminder = await ReminderOf(second, second.GrainFactory.GetGrain<IReportsGrain>(Tenant), ReportsGrain.DueReminder);
            Assert.NotNull(dueReminder);
            Assert.Equal(ReportsGrain.CheckInterval, dueReminder.Period);

            Assert.Equal(Receipts(events), await RootReceiptsAsync(second.GrainFactory, Receipts(events)));
            Assert.Equal(0, await IngestUntilAcknowledgedAsync(second.GrainFactory, events[..100]));
            Assert.Equal(0, await IngestUntilAcknowledgedAsync(second.GrainFactory, inspections));
            // Alerts of entries replayed after the crash are raised by the ledger's first round.
            Assert.True(await second.GrainFactory.GetGrain<IEventLedgerGrain>(GrainKeys.LedgerShard(Tenant, 0)).Delivered(TimeSpan.FromMinutes(1), 0));
            var alerts = await AlertsAsync(second.GrainFactory, 5);
            Assert.Equal(["unplannedInspection:insp-0", "unplannedInspection:insp-1", "unplannedInspection:insp-2", "unplannedInspection:insp-3", "unplannedInspection:insp-4"], alerts.Select(a => a.Id).Order(StringComparer.Ordinal));
            Assert.Equal(7, (await second.GrainFactory.GetGrain<ITenantGrain>(Tenant).GetInfo())!.Units);

            // Reports come back from their log in their last state, and numbering goes on.
            var reportsAfter = second.GrainFactory.GetGrain<IReportsGrain>(Tenant);
            Assert.Equal(["rpt-2:open", "rpt-1:resolved"], (await reportsAfter.List()).Select(r => $"{r.Id}:{r.Status}"));
            Assert.Equal("merged", (await reportsAfter.Get("rpt-1"))!.Resolution);
            Assert.Equal("rpt-3", (await reportsAfter.File(new Oversight.Governance.ReportFiling("u1", "root", "other", "again", false, [], "u1", "Asia/Shanghai"))).Id);
        }
        finally
        {
            await second.DisposeAsync();
        }
    }

    [Fact]
    public async Task EventsAcknowledgedJustBeforeAFullCrashCountOnceNoUnitHeldThem()
    {
        // The silos die right after the acknowledgement, before the first round has (as a rule)
        // activated and checkpointed any unit. After the restart only a read of the root arrives:
        // the tenant's activation wakes its ledger shards, which replay the pending entries.
        var events = Enumerable.Range(0, 600).Select(Event).ToArray();
        var first = await StartAsync(2);
        await CreateTenantAsync(first.GrainFactory);
        Assert.Equal(600, await IngestUntilAcknowledgedAsync(first.GrainFactory, events));
        var second = await CrashAndRestartAsync(first);
        try
        {
            // The shard's replay reminder is in Redis: it would activate the shard within a
            // minute even were no request to arrive.
            var replay = await ReminderOf(second, second.GrainFactory.GetGrain<IEventLedgerGrain>(GrainKeys.LedgerShard(Tenant, 0)), Oversight.Grains.Ledger.EventLedgerGrain.ReplayReminder);
            Assert.NotNull(replay);
            Assert.Equal(Oversight.Grains.Ledger.EventLedgerGrain.ReplayReminderPeriod, replay.Period);

            Assert.Equal(Receipts(events), await RootReceiptsAsync(second.GrainFactory, Receipts(events)));
            Assert.Equal(0, await IngestUntilAcknowledgedAsync(second.GrainFactory, events));
            Assert.Equal(Receipts(events), await RootReceiptsAsync(second.GrainFactory, Receipts(events)));
        }
        finally
        {
            await second.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task CountsStayExactWhenASiloDiesOrLeavesMidIngest(bool kill)
    {
        var events = Enumerable.Range(0, 1500).Select(Event).ToArray();
        var cluster = await StartAsync(3);
        try
        {
            await CreateTenantAsync(cluster.GrainFactory);
            var accepted = 0;
            for (var i = 0; i < events.Length; i += 100)
            {
                if (i == 700)
                {
                    var victim = cluster.SecondarySilos[0];
                    await (kill ? cluster.KillSiloAsync(victim) : cluster.StopSiloAsync(victim));
                }

                accepted += await IngestUntilAcknowledgedAsync(cluster.GrainFactory, events[i..(i + 100)]);
            }

            Assert.Equal(events.Length, accepted);
            Assert.Equal(Receipts(events), await RootReceiptsAsync(cluster.GrainFactory, Receipts(events)));
            Assert.Equal(0, await IngestUntilAcknowledgedAsync(cluster.GrainFactory, events));
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }
}
