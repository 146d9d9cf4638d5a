using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using Oversight.Governance;
using Oversight.Grains;
using Oversight.Grains.Governance;
using Oversight.Grains.Hosting;
using Oversight.Grains.Log;

namespace Oversight.Tests.Grains;

/// <summary>Reports past their due time raise <c>reportOverdue</c> once, on a cluster whose clock the test moves.</summary>
public sealed class ReportsGrainTests : IAsyncLifetime
{
    private static readonly ShiftedClock Clock = new();
    private TestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(1);
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task AnUnresolvedReportPastItsDueTimeRaisesOneAlertAboutTheUnitItConcerns()
    {
        var tenant = "t-" + Guid.NewGuid().ToString("N")[..12];
        var reports = _cluster.GrainFactory.GetGrain<IReportsGrain>(tenant);
        var late = await reports.File(new ReportFiling("s1a", "s1", "meetings", "too many meetings", true, [], "s1a", "Asia/Shanghai"));
        var answered = await reports.File(new ReportFiling("s1a", "hq", "documents", "too many documents", false, [], "s1a", "Asia/Shanghai"));
        Assert.Equal(["rpt-1", "rpt-2"], new[] { late.Id, answered.Id });
        await reports.Resolve(answered.Id, "hq", "done");

        Clock.Shift = TimeSpan.FromDays(10) - TimeSpan.FromMinutes(1);
        await reports.RaiseOverdue();
        var alerts = _cluster.GrainFactory.GetGrain<IAlertsGrain>(tenant);
        Assert.Empty(await alerts.List(null, null));

        Clock.Shift = TimeSpan.FromDays(10) + TimeSpan.FromMinutes(1);
        await reports.List();
        await reports.RaiseOverdue();
        var alert = Assert.Single(await alerts.List(null, null));
        Assert.Equal("reportOverdue:rpt-1", alert.Id);
        Assert.Equal(AlertTypes.ReportOverdue, alert.Type);
        Assert.Equal("s1", alert.Unit);
        Assert.Equal(["s1"], alert.Affected);
        Assert.Equal(late.DueAt.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), alert.Period);
        Assert.DoesNotContain("s1a", alert.Detail, StringComparison.Ordinal);

        // Resolving late ends it; it stays in the record as overdue history, and is not raised twice.
        await reports.Resolve(late.Id, "s1", "merged");
        Assert.False((await reports.Get(late.Id))!.IsOverdue(Clock.GetUtcNow()));
        Assert.Single(await alerts.List(null, null));
        Clock.Shift = TimeSpan.Zero;
    }

    [Fact]
    public async Task TheDueTimeReminderIsKeptExactlyWhileAReportWaits()
    {
        var tenant = "t-" + Guid.NewGuid().ToString("N")[..12];
        var reports = _cluster.GrainFactory.GetGrain<IReportsGrain>(tenant);
        var table = ((InProcessSiloHandle)_cluster.Primary!).ServiceProvider.GetRequiredService<IReminderTable>();
        var grain = reports.GetGrainId();
        Assert.Empty(await reports.List());
        Assert.Null(await table.ReadRow(grain, ReportsGrain.DueReminder));

        var first = await reports.File(new ReportFiling("s1a", "s1", "meetings", "too many meetings", false, [], "s1a", "Asia/Shanghai"));
        var reminder = await table.ReadRow(grain, ReportsGrain.DueReminder);
        Assert.NotNull(reminder);
        Assert.Equal(TimeSpan.FromMinutes(1), reminder.Period);

        // Resolved: nothing waits, so nothing wakes the grain.
        await reports.Resolve(first.Id, "s1", "merged");
        Assert.Null(await table.ReadRow(grain, ReportsGrain.DueReminder));

        // Overdue and alerted: nothing waits either.
        await reports.File(new ReportFiling("s1a", "s1", "documents", "too many documents", false, [], "s1a", "Asia/Shanghai"));
        Assert.NotNull(await table.ReadRow(grain, ReportsGrain.DueReminder));
        Clock.Shift = TimeSpan.FromDays(10) + TimeSpan.FromMinutes(1);
        try
        {
            await reports.RaiseOverdue();
        }
        finally
        {
            Clock.Shift = TimeSpan.Zero;
        }

        Assert.Equal(["reportOverdue:rpt-2"], (await _cluster.GrainFactory.GetGrain<IAlertsGrain>(tenant).List(null, null)).Select(a => a.Id));
        Assert.Null(await table.ReadRow(grain, ReportsGrain.DueReminder));
    }

    private sealed class ShiftedClock : TimeProvider
    {
        public TimeSpan Shift { get; set; }

        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Shift;
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            silo.AddOversightLocalStores();
            silo.Services.AddSingleton<IEventLog, MemoryEventLog>();
            silo.Services.AddSingleton<TimeProvider>(Clock);
            silo.AddOversightGrains();
        }
    }
}
