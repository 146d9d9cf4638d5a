using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;
using Oversight.Domain;
using Oversight.Grains;
using Oversight.Grains.Units;

namespace Oversight.Tests.Grains;

[Collection(ClusterCollection.Name)]
public sealed class UnitGrainTests(ClusterFixture fixture)
{
    private static readonly Oversight.Governance.AlertSettings Settings = new("Asia/Shanghai");
    private static readonly int Day = new DateOnly(2026, 11, 20).DayNumber;
    private static readonly PeriodRange November = new(PeriodGranularity.Month, 2026 * 12 + 10, 2026 * 12 + 10);
    private static readonly int DocumentsReceived = LoadCounters.Received(EventKind.Document);

    private readonly string _tenant = "t-" + Guid.NewGuid().ToString("N")[..12];

    private IUnitGrain Unit(string id) => fixture.Grains.GetGrain<IUnitGrain>(GrainKeys.Unit(_tenant, id));

    /// <summary>The tenant's (only) ledger shard.</summary>
    private IEventLedgerGrain Ledger => fixture.Grains.GetGrain<IEventLedgerGrain>(GrainKeys.LedgerShard(_tenant, 0));

    private async Task TreeAsync(params (string Id, string? Parent)[] units)
    {
        var tenant = fixture.Grains.GetGrain<ITenantGrain>(_tenant);
        await tenant.Upsert("Test", "Asia/Shanghai");
        var change = await tenant.UpsertUnits([.. units.Select(u => new UnitRecord(u.Id, u.Id, u.Parent, 1, "unit"))], null);
        Assert.Equal(TreeChangeStatus.Applied, change.Status);
    }

    private int _next;

    /// <summary>Logs <paramref name="count"/> documents from the root to one unit through the ledger, and waits until they are delivered.</summary>
    private async Task DocumentsAsync(string target, int count)
    {
        var events = Enumerable.Range(0, count).Select(_ => Document($"e{_next++}", target)).ToArray();
        var fresh = await Ledger.Ingest(events, Settings);
        Assert.All(fresh, Assert.True);
        Assert.True(await Ledger.Delivered(TimeSpan.FromMinutes(1), 0));
    }

    /// <summary>A document from the root to one unit, on <see cref="Day"/>.</summary>
    private static LoggedEvent Document(string id, string target) => new()
    {
        Id = id,
        Kind = EventKind.Document,
        Source = "hq",
        Targets = [target],
        Day = Day,
        OccurredAt = DateTimeOffset.UnixEpoch.AddDays(Day - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber),
    };

    /// <summary>Flushes deepest first, so every delta has reached the top when this returns.</summary>
    private async Task SettleAsync(params string[] deepestFirst)
    {
        for (var sent = true; sent;)
        {
            sent = false;
            foreach (var id in deepestFirst)
            {
                sent |= await Unit(id).Flush();
            }
        }
    }

    private async Task<long> SubtreeDocumentsAsync(string id) => (await Unit(id).GetLoad(November)).Subtree[DocumentsReceived];

    [Fact]
    public async Task DeltasRollUpToEveryAncestor()
    {
        await TreeAsync(("hq", null), ("s1", "hq"), ("s1a", "s1"), ("s2", "hq"));
        await DocumentsAsync("s1a", 3);
        await DocumentsAsync("s2", 4);
        await DocumentsAsync("s1", 1);
        await SettleAsync("s1a", "s2", "s1", "hq");

        Assert.Equal(3, await SubtreeDocumentsAsync("s1a"));
        Assert.Equal(4, await SubtreeDocumentsAsync("s1"));
        Assert.Equal(8, await SubtreeDocumentsAsync("hq"));
        Assert.Equal(1, (await Unit("s1").GetLoad(November)).Own[DocumentsReceived]);
    }

    [Fact]
    public async Task AMovedUnitTakesItsWholeHistoryToItsNewAncestors()
    {
        await TreeAsync(("hq", null), ("a", "hq"), ("b", "hq"), ("a1", "a"), ("a1x", "a1"));
        await DocumentsAsync("a1x", 5);
        await DocumentsAsync("a1", 2);
        await SettleAsync("a1x", "a1", "a", "b", "hq");
        Assert.Equal(7, await SubtreeDocumentsAsync("a"));

        var change = await fixture.Grains.GetGrain<ITenantGrain>(_tenant).UpsertUnits([new UnitRecord("a1", "a1", "b", 1, "unit")], null);
        Assert.Equal(["a1"], change.Moved);
        await DocumentsAsync("a1x", 1);
        await SettleAsync("a1x", "a1", "a", "b", "hq");

        Assert.Equal(0, await SubtreeDocumentsAsync("a"));
        Assert.Equal(8, await SubtreeDocumentsAsync("b"));
        Assert.Equal(8, await SubtreeDocumentsAsync("hq"));
    }

    [Fact]
    public async Task MovingBackAndForthLeavesNoResidue()
    {
        await TreeAsync(("hq", null), ("a", "hq"), ("b", "hq"), ("x", "a"));
        var tenant = fixture.Grains.GetGrain<ITenantGrain>(_tenant);
        await DocumentsAsync("x", 6);
        await tenant.UpsertUnits([new UnitRecord("x", "x", "b", 1, "unit")], null);
        await DocumentsAsync("x", 1);
        await tenant.UpsertUnits([new UnitRecord("x", "x", "a", 1, "unit")], null);
        await SettleAsync("x", "a", "b", "hq");

        Assert.Equal(7, await SubtreeDocumentsAsync("a"));
        Assert.Equal(0, await SubtreeDocumentsAsync("b"));
        Assert.Equal(7, await SubtreeDocumentsAsync("hq"));
    }

    [Fact]
    public async Task AChildReportsEverythingAgainToAParentThatLostAnAcknowledgedReport()
    {
        await TreeAsync(("hq", null), ("a", "hq"), ("x", "a"));
        await DocumentsAsync("x", 3);
        await DocumentsAsync("a", 2);
        await SettleAsync("x", "a", "hq");
        Assert.False(await Unit("x").VerifyReported());
        Assert.False(await Unit("a").VerifyReported());
        Assert.False(await Unit("hq").VerifyReported());

        // Settled: each parent holds its child's last report and has passed it on (the root has
        // nothing to pass on), so the children stop asking.
        var reported = (await Unit("x").GetSubtreeTotals()).Version;
        Assert.Equal(new HeldReport(reported, PassedOn: true), await Unit("a").HeldReportOf("x"));
        Assert.Equal(new HeldReport((await Unit("a").GetSubtreeTotals()).Version, PassedOn: true), await Unit("hq").HeldReportOf("a"));

        // The parent's activation drops what x reported, as one that never saw the report would
        // (a second activation during a membership change): here x is said to have left.
        var held = await Unit("x").GetSubtreeTotals();
        Assert.True((await Unit("a").Report(new SubtreeReport("x", held.Version + 1, DayDelta.Empty, Detach: true))).Accepted);
        await SettleAsync("a", "hq");
        Assert.Equal(2, await SubtreeDocumentsAsync("a"));
        Assert.Equal(2, await SubtreeDocumentsAsync("hq"));
        Assert.Equal(0, (await Unit("a").HeldReportOf("x")).Version);

        Assert.True(await Unit("x").VerifyReported());
        await SettleAsync("x", "a", "hq");
        Assert.Equal(5, await SubtreeDocumentsAsync("a"));
        Assert.Equal(5, await SubtreeDocumentsAsync("hq"));
        Assert.False(await Unit("x").VerifyReported());
    }

    /// <summary>A forged share of <paramref name="documents"/> documents at one ledger position.</summary>
    private static UnitDeliveries Share(long position, int documents)
    {
        var counts = new CellDeltaBuilder();
        for (var i = 0; i < documents; i++)
        {
            EventRules.CountReceived(counts, EventKind.Document, Day, 0, 0);
        }

        return new UnitDeliveries(0, position, counts.Build(), -1) { First = position, Settings = Settings };
    }

    [Fact]
    public async Task AUnitAnswersItsParentsHandOnWithItsReport()
    {
        await TreeAsync(("hq", null), ("p", "hq"), ("q", "hq"), ("x", "p"));

        // Handed on by its parent: the answer is the report of the days that changed.
        var report = await Unit("x").ApplyFromParent(Share(1, 2), "p", 0, []);
        Assert.NotNull(report);
        Assert.Equal("x", report.Child);
        Assert.False(report.Detach);
        Assert.True(report.Version > 0);
        Assert.Equal([Day], report.Totals.Days);
        Assert.Equal([2L], report.Totals.Values);
        Assert.Equal([(ushort)(1 << DocumentsReceived)], report.Masks!);

        // A replay changes nothing, so there is nothing to answer.
        Assert.Null(await Unit("x").ApplyFromParent(Share(1, 2), "p", report.Version, []));

        // From a unit that is not its parent, or a parent that does not hold it: counted, and
        // reported the usual way.
        Assert.Null(await Unit("x").ApplyFromParent(Share(2, 1), "q", 0, []));
        Assert.Null(await Unit("x").ApplyFromParent(Share(3, 1), "p", -1, []));

        // The first answer never reached p (this test took it); the reports that followed set the
        // day's whole totals, so p holds all of it.
        await SettleAsync("x", "p", "hq");
        Assert.Equal(4, (await Unit("x").GetLoad(November)).Own[DocumentsReceived]);
        Assert.Equal(4, await SubtreeDocumentsAsync("p"));
        Assert.Equal(4, await SubtreeDocumentsAsync("hq"));
        Assert.Equal(0, await SubtreeDocumentsAsync("q"));
    }

    [Fact]
    public async Task ConfirmationsMadeTogetherTravelInOneCallAndEachUnitsHeldEntriesAreForgotten()
    {
        await TreeAsync(("hq", null), ("a", "hq"), ("b", "hq"));
        await DocumentsAsync("a", 1);
        await DocumentsAsync("a", 1);
        await DocumentsAsync("b", 1);
        var pendingA = await Ledger.CatchUp("a", 0);
        var pendingB = await Ledger.CatchUp("b", 0);
        Assert.Equal([1, 1], pendingA.Select(Documents));
        Assert.Equal([1], pendingB.Select(Documents));

        // a confirms its first entry, then (in the same gathering window, long here so that a
        // slow test machine still gathers all three) both; b confirms its one.
        var confirmations = new Oversight.Grains.Ledger.LedgerConfirmations(fixture.Grains, TimeSpan.FromSeconds(1));
        var first = confirmations.Confirm(_tenant, 0, "a", pendingA[0].Position);
        var second = confirmations.Confirm(_tenant, 0, "a", pendingA[^1].Position);
        var third = confirmations.Confirm(_tenant, 0, "b", pendingB[^1].Position);
        Assert.Same(first, second);
        Assert.Same(first, third);
        await third;

        Assert.Empty(await Ledger.CatchUp("a", 0));
        Assert.Empty(await Ledger.CatchUp("b", 0));
        Assert.Equal(2, await SubtreeDocumentsAsync("a"));

        static long Documents(UnitDeliveries share) =>
            share.Own.Cells.Where(c => CellDelta.SlotOf(c) == DocumentsReceived).Sum(c => (long)CellDelta.AmountOf(c));
    }

    [Fact]
    public async Task ALedgerKeepsItsReplayReminderWhileEntriesArePendingAndDropsItOnceNoneAre()
    {
        await TreeAsync(("hq", null), ("a", "hq"));
        var reminders = ((Orleans.TestingHost.InProcessSiloHandle)fixture.Cluster.Primary!).ServiceProvider
            .GetRequiredService<Orleans.IReminderTable>();
        Assert.Null(await reminders.ReadRow(Ledger.GetGrainId(), Oversight.Grains.Ledger.EventLedgerGrain.ReplayReminder));

        await DocumentsAsync("a", 2);
        var row = await reminders.ReadRow(Ledger.GetGrainId(), Oversight.Grains.Ledger.EventLedgerGrain.ReplayReminder);
        Assert.NotNull(row);
        Assert.Equal(Oversight.Grains.Ledger.EventLedgerGrain.ReplayReminderPeriod, row.Period);

        // A tick while entries are pending keeps the reminder.
        var remindable = Ledger.AsReference<Orleans.IRemindable>();
        await remindable.ReceiveReminder(Oversight.Grains.Ledger.EventLedgerGrain.ReplayReminder, default);
        Assert.NotNull(await reminders.ReadRow(Ledger.GetGrainId(), Oversight.Grains.Ledger.EventLedgerGrain.ReplayReminder));

        // Both units (the source and the target) make the entries durable (a unit whose own
        // checkpoint tick came first has confirmed already): the next tick drops it.
        foreach (var unit in new[] { "hq", "a" })
        {
            if (await Ledger.CatchUp(unit, 0) is { Length: > 0 } pending)
            {
                await Ledger.Confirm([unit], [pending[^1].Position]);
            }
        }

        await remindable.ReceiveReminder(Oversight.Grains.Ledger.EventLedgerGrain.ReplayReminder, default);
        Assert.Null(await reminders.ReadRow(Ledger.GetGrainId(), Oversight.Grains.Ledger.EventLedgerGrain.ReplayReminder));
    }

    [Fact]
    public async Task AChildAskedToReportAgainReplacesWhateverItsParentHolds()
    {
        // What a parent does when a child's answer was overtaken by a newer report: here the
        // newer report is forged, with a wrong count, at a version above any the child has used.
        await TreeAsync(("hq", null), ("p", "hq"), ("x", "p"));
        await DocumentsAsync("x", 3);
        await SettleAsync("x", "p", "hq");
        var wrong = new long[LoadCounters.Width];
        wrong[DocumentsReceived] = 99;
        var held = (await Unit("p").HeldReportOf("x")).Version;
        Assert.True((await Unit("p").Report(new SubtreeReport("x", held + 1_000_000_000, new DayDelta([Day], wrong), Detach: false))).Accepted);
        await SettleAsync("p", "hq");
        Assert.Equal(99, await SubtreeDocumentsAsync("hq"));

        await Unit("x").ReportAgain();
        await SettleAsync("x", "p", "hq");
        Assert.Equal(3, await SubtreeDocumentsAsync("p"));
        Assert.Equal(3, await SubtreeDocumentsAsync("hq"));
        Assert.True((await Unit("p").HeldReportOf("x")).Version > held + 1_000_000_000);
    }

    [Fact]
    public async Task ARoundThroughAFamilyCountsEachShareOnceAtEveryLevel()
    {
        await TreeAsync(("hq", null), ("p", "hq"), ("a", "p"), ("b", "p"), ("c", "p"));
        var events = new[] { Document("f1", "a"), Document("f2", "b"), Document("f3", "b"), Document("f4", "c"), Document("f5", "p") };
        Assert.All(await Ledger.Ingest(events, Settings), Assert.True);
        Assert.True(await Ledger.Delivered(TimeSpan.FromMinutes(1), 0));

        // The same round again (as after a ledger restart) changes nothing.
        await Unit("p").ApplyRound(Share(1, 1), [new RoundNode("a", Share(1, 1), []), new RoundNode("b", Share(1, 2), []), new RoundNode("c", Share(1, 1), [])]);
        await SettleAsync("a", "b", "c", "p", "hq");

        Assert.Equal(2, await SubtreeDocumentsAsync("b"));
        Assert.Equal(1, (await Unit("p").GetLoad(November)).Own[DocumentsReceived]);
        Assert.Equal(5, await SubtreeDocumentsAsync("p"));
        Assert.Equal(5, await SubtreeDocumentsAsync("hq"));
        Assert.False(await Unit("b").VerifyReported());
    }

    [Fact]
    public async Task ARoundGoesDownThroughUnitsWithoutSharesAndCountsOnceAtEveryLevel()
    {
        // The round reaches x and y through m and p, which have no share of their own in it.
        await TreeAsync(("hq", null), ("m", "hq"), ("n", "hq"), ("p", "m"), ("x", "p"), ("y", "p"));
        var events = new[] { Document("g1", "x"), Document("g2", "x"), Document("g3", "y"), Document("g4", "n") };
        Assert.All(await Ledger.Ingest(events, Settings), Assert.True);
        Assert.True(await Ledger.Delivered(TimeSpan.FromMinutes(1), 0));

        // The same round again, as the ledger would send it after a restart: nothing changes.
        await Unit("hq").ApplyRound(null,
        [
            new RoundNode("m", null, [new RoundNode("p", null, [new RoundNode("x", Share(1, 2), []), new RoundNode("y", Share(1, 1), [])])]),
            new RoundNode("n", Share(1, 1), []),
        ]);
        await SettleAsync("x", "y", "p", "m", "n", "hq");

        Assert.Equal(2, await SubtreeDocumentsAsync("x"));
        Assert.Equal(0, (await Unit("p").GetLoad(November)).Own[DocumentsReceived]);
        Assert.Equal(3, await SubtreeDocumentsAsync("p"));
        Assert.Equal(3, await SubtreeDocumentsAsync("m"));
        Assert.Equal(1, await SubtreeDocumentsAsync("n"));
        Assert.Equal(4, await SubtreeDocumentsAsync("hq"));
        Assert.False(await Unit("x").VerifyReported());
        Assert.False(await Unit("p").VerifyReported());
    }

    [Fact]
    public async Task OnlyAParentsFirstHandOnToAChildThatHandsNothingOnTakesAWakeSlot()
    {
        var wakes = Assert.IsType<Orleans.TestingHost.InProcessSiloHandle>(fixture.Cluster.Primary).SiloHost!.Services
            .GetRequiredService<Oversight.Grains.Units.UnitWakes>();
        var before = wakes.Entered;
        await TreeAsync(("hq", null), ("p", "hq"), ("a", "p"), ("b", "p"), ("c", "p"));

        // The round goes hq → p → a, b: the hand-on to p goes on down (no slot), a and b take one each.
        var first = new[] { Document("w1", "a"), Document("w2", "b") };
        Assert.All(await Ledger.Ingest(first, Settings), Assert.True);
        Assert.True(await Ledger.Delivered(TimeSpan.FromMinutes(1), 0));
        Assert.Equal(before + 2, wakes.Entered);

        // a was handed on to before (no slot); c is new to p (one slot).
        var second = new[] { Document("w3", "a"), Document("w4", "c") };
        Assert.All(await Ledger.Ingest(second, Settings), Assert.True);
        Assert.True(await Ledger.Delivered(TimeSpan.FromMinutes(1), 0));
        Assert.Equal(before + 3, wakes.Entered);
        Assert.Equal(Oversight.Grains.Units.UnitWakes.Slots, wakes.Free);

        await SettleAsync("a", "b", "c", "p", "hq");
        Assert.Equal(2, await SubtreeDocumentsAsync("a"));
        Assert.Equal(4, await SubtreeDocumentsAsync("hq"));
    }

    [Fact]
    public async Task AShareRoutedThroughAFormerParentCountsOnceUnderTheNewOne()
    {
        // The ledger routes by the tree it read last; a unit moved since is handed its share by
        // its former parent, counts it, and reports to its new parent. A replay changes nothing.
        await TreeAsync(("hq", null), ("p", "hq"), ("q", "hq"), ("x", "p"));
        await fixture.Grains.GetGrain<ITenantGrain>(_tenant).UpsertUnits([new UnitRecord("x", "x", "q", 1, "unit")], null);
        await Unit("p").ApplyRound(null, [new RoundNode("x", Share(1, 2), [])]);
        await Unit("p").ApplyRound(null, [new RoundNode("x", Share(1, 2), [])]);
        await SettleAsync("x", "p", "q", "hq");

        Assert.Equal(2, (await Unit("x").GetLoad(November)).Own[DocumentsReceived]);
        Assert.Equal(0, await SubtreeDocumentsAsync("p"));
        Assert.Equal(2, await SubtreeDocumentsAsync("q"));
        Assert.Equal(2, await SubtreeDocumentsAsync("hq"));
    }

    [Fact]
    public async Task ALeafThatGainsAChildKeepsItsOwnCountsInItsSubtree()
    {
        // A leaf keeps one set of counters (its subtree is its own) until it first holds a child.
        await TreeAsync(("hq", null), ("a", "hq"));
        await DocumentsAsync("a", 3);
        await SettleAsync("a", "hq");
        Assert.Equal(3, await SubtreeDocumentsAsync("a"));

        var tenant = fixture.Grains.GetGrain<ITenantGrain>(_tenant);
        await tenant.UpsertUnits([new UnitRecord("c", "c", "a", 1, "unit")], null);
        await DocumentsAsync("c", 2);
        await DocumentsAsync("a", 1);
        await SettleAsync("c", "a", "hq");

        Assert.Equal(6, await SubtreeDocumentsAsync("a"));
        Assert.Equal(4, (await Unit("a").GetLoad(November)).Own[DocumentsReceived]);
        Assert.Equal(6, await SubtreeDocumentsAsync("hq"));

        await tenant.UpsertUnits([new UnitRecord("c", "c", "hq", 1, "unit")], null);
        await DocumentsAsync("a", 1);
        await SettleAsync("c", "a", "hq");

        Assert.Equal(5, await SubtreeDocumentsAsync("a"));
        Assert.Equal(5, (await Unit("a").GetLoad(November)).Own[DocumentsReceived]);
        Assert.Equal(7, await SubtreeDocumentsAsync("hq"));
    }

    [Fact]
    public async Task ARoundToMoreUnitsThanItCallsAtOnceReachesEveryUnit()
    {
        // 2,100 units in one round: the ledger calls them in parts (2,048 at most at once).
        var leaves = Enumerable.Range(0, 2_100).Select(i => $"u{i:D4}").ToArray();
        await TreeAsync([("hq", null), .. leaves.Select(id => (id, (string?)"hq"))]);
        var events = leaves.Select(id => Document($"wide-{id}", id)).ToArray();
        Assert.All(await Ledger.Ingest(events, Settings), Assert.True);
        Assert.True(await Ledger.Delivered(TimeSpan.FromMinutes(1), 0));

        // Counted in every unit's own counters by the time the ledger says so.
        var own = await Task.WhenAll(leaves.Select(async id => (await Unit(id).GetLoad(November)).Own[DocumentsReceived]));
        Assert.All(own, count => Assert.Equal(1, count));
        await Task.WhenAll(leaves.Select(id => Unit(id).Flush()));
        await SettleAsync("hq");
        Assert.Equal(2_100, await SubtreeDocumentsAsync("hq"));
        Assert.Equal(2_100, (await Unit("hq").GetLoad(November)).Own[LoadCounters.Issued(EventKind.Document)]);
    }

    [Fact]
    public async Task TheLedgerTakesEachIdOnce()
    {
        await TreeAsync(("hq", null), ("a", "hq"));
        LoggedEvent Doc(string id) => new() { Id = id, Kind = EventKind.Document, Source = "hq", Targets = ["a"], Day = Day, OccurredAt = DateTimeOffset.UnixEpoch };
        var first = await Ledger.Ingest([Doc("a"), Doc("b")], Settings);
        var second = await Ledger.Ingest([Doc("a"), Doc("c"), Doc("b")], Settings);
        Assert.True(await Ledger.Delivered(TimeSpan.FromMinutes(1), 0));
        Assert.Equal(new[] { true, true }, first);
        Assert.Equal(new[] { false, true, false }, second);
        await SettleAsync("a", "hq");
        Assert.Equal(3, await SubtreeDocumentsAsync("hq"));
    }

    [Fact]
    public async Task AUnitTakesItsDeliveriesWhileItsCheckpointIsBeingWritten()
    {
        // A tick starts the checkpoint and lets the unit go on: a round's hand-on is not held
        // behind the write (a Redis round trip in cluster mode) and the confirmation's gather.
        await TreeAsync(("hq", null), ("a", "hq"));
        await DocumentsAsync("a", 2);
        var hold = HoldingGrainStore.HoldNextWrite(Unit("a").GetGrainId());
        await Unit("a").Tick();
        await hold.Started.Task;

        await DocumentsAsync("a", 3);
        Assert.Equal(5, (await Unit("a").GetLoad(November)).Own[DocumentsReceived]);

        // Nothing is confirmed to the ledger before the write is done.
        var pending = await Ledger.CatchUp("a", 0);
        Assert.Equal(2, pending.Length);

        // Once it is, the unit confirms what that write held; a checkpoint that waits (here the
        // one a quota change makes) comes after it and confirms the rest.
        hold.Released.SetResult();
        await Unit("a").SetQuotas(Oversight.Governance.Quotas.None, Settings);
        Assert.Empty(await Ledger.CatchUp("a", 0));
        Assert.Equal(5, (await Unit("a").GetLoad(November)).Own[DocumentsReceived]);
    }

    [Fact]
    public async Task AUnitCheckpointsItsCountersCompactlyAndReadsEitherForm()
    {
        await TreeAsync(("hq", null), ("a", "hq"), ("b", "hq"));
        var silo = Assert.IsType<InProcessSiloHandle>(fixture.Cluster.Primary);
        var store = silo.SiloHost!.Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Units);

        // b has a checkpoint of the form before (counters in Own) before it first activates.
        var vector = new long[LoadCounters.Width];
        vector[DocumentsReceived] = 7;
        var old = new GrainState<UnitState>(new UnitState { Parent = "hq", Own = new DayDelta([Day], vector) });
        await store.WriteStateAsync("unit", Unit("b").GetGrainId(), old);

        // Deactivated, a unit checkpoints its counters in the compact form, none in the old.
        await DocumentsAsync("a", 3);
        await fixture.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var written = new GrainState<UnitState>();
        await store.ReadStateAsync("unit", Unit("a").GetGrainId(), written);
        Assert.True(written.RecordExists);
        Assert.NotNull(written.State);
        Assert.True(written.State.Own.IsEmpty);
        var counters = new PeriodCounters();
        DayCountersCodec.AddTo(written.State.OwnBlob, counters);
        Assert.Equal(new[] { Day }, counters.DayKeys);
        Assert.Equal(3, counters.Sum(November)[DocumentsReceived]);

        // The old form is read as it was written, and counts on from there.
        Assert.Equal(7, (await Unit("b").GetLoad(November)).Own[DocumentsReceived]);
        await DocumentsAsync("b", 1);
        Assert.Equal(8, (await Unit("b").GetLoad(November)).Own[DocumentsReceived]);
        await SettleAsync("a", "b", "hq");
        Assert.Equal(11, await SubtreeDocumentsAsync("hq"));
    }

    [Fact]
    public async Task ABatchWhoseLogWriteFailsIsRefusedAndTakenWhenSentAgain()
    {
        await TreeAsync(("hq", null), ("a", "hq"));
        LoggedEvent[] batch = [Document("f1", "a"), Document("f2", "a")];
        FailingEventLog.FailNextAppend(_tenant);
        var error = await Assert.ThrowsAsync<OrleansException>(() => Ledger.Ingest(batch, Settings));
        Assert.Contains("could not be made durable", error.Message, StringComparison.Ordinal);

        // The refused ids were not taken: sent again (to the shard's next activation, which
        // rebuilt its view from the log), both are new, and they count once.
        Assert.Equal(new[] { true, true }, await Ledger.Ingest(batch, Settings));
        Assert.Equal(new[] { false, false }, await Ledger.Ingest(batch, Settings));
        Assert.True(await Ledger.Delivered(TimeSpan.FromMinutes(1), 0));
        await SettleAsync("a", "hq");
        Assert.Equal(2, await SubtreeDocumentsAsync("hq"));
    }

    [Fact]
    public async Task BatchesArrivingTogetherAreEachTakenOnceWhateverTheyShare()
    {
        // Twenty batches at once, ten ids each out of fifty, every id in four batches. Batches
        // that arrive while a write is on its way (the first waits for the shard's replay
        // reminder) are written together; a batch of repeats only is answered once the write
        // holding them is done.
        await TreeAsync(("hq", null), ("a", "hq"));
        var batches = Enumerable.Range(0, 20).Select(i => Enumerable.Range(0, 10).Select(k => $"id{(i * 7 + k * 3) % 50}").ToArray()).ToArray();
        var answers = await Task.WhenAll(batches.Select(ids => Ledger.Ingest([.. ids.Select(id => Document(id, "a"))], Settings)));
        Assert.True(await Ledger.Delivered(TimeSpan.FromMinutes(1), 0));

        var taken = batches.SelectMany((ids, i) => ids.Where((_, k) => answers[i][k])).ToList();
        Assert.Equal(50, taken.Count);
        Assert.Equal(50, taken.Distinct(StringComparer.Ordinal).Count());

        // The log holds each once too, at consecutive positions.
        var log = Assert.IsType<Orleans.TestingHost.InProcessSiloHandle>(fixture.Cluster.Primary).SiloHost!.Services.GetRequiredService<Oversight.Grains.Log.LedgerLog>();
        var entries = new List<LogEntry>();
        await foreach (var bytes in log.ReadAllAsync(_tenant, 0))
        {
            entries.Add(log.Decode(bytes));
        }

        Assert.Equal(Enumerable.Range(1, entries.Count).Select(p => (long)p), entries.Select(e => e.Position));
        Assert.Equal(taken.Order(StringComparer.Ordinal), entries.SelectMany(e => e.Events).Select(e => e.Id).Order(StringComparer.Ordinal));
        await SettleAsync("a", "hq");
        Assert.Equal(50, await SubtreeDocumentsAsync("hq"));
    }

    private sealed class AlertCollector : IAlertObserver
    {
        public TaskCompletionSource<Oversight.Governance.Alert[]> Received { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void OnAlerts(Oversight.Governance.Alert[] alerts) => Received.TrySetResult(alerts);
    }

    [Fact]
    public async Task NewAlertsAreNotifiedToSubscribers()
    {
        await TreeAsync(("hq", null), ("a", "hq"));
        var collector = new AlertCollector();
        var reference = fixture.Grains.CreateObjectReference<IAlertObserver>(collector);
        await fixture.Grains.GetGrain<IAlertsGrain>(_tenant).Subscribe(reference);
        var inspection = new LoggedEvent { Id = "i1", Kind = EventKind.Inspection, Source = "hq", Targets = ["a"], Day = Day, OccurredAt = DateTimeOffset.UnixEpoch, Planned = false };
        await Ledger.Ingest([inspection], Settings);
        var alerts = await collector.Received.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(["unplannedInspection:i1"], alerts.Select(a => a.Id));
    }

    [Fact]
    public async Task SubtreeSeriesHasOnePointPerBucket()
    {
        await TreeAsync(("hq", null));
        await DocumentsAsync("hq", 2);
        var series = await Unit("hq").GetSubtreeSeries(new PeriodRange(PeriodGranularity.Day, Day - 1, Day + 1));
        Assert.Equal([0L, 2L, 0L], series.Select(v => v[DocumentsReceived]));
    }
}
