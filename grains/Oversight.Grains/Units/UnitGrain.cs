using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Oversight.Domain;
using Oversight.Governance;

namespace Oversight.Grains.Units;

/// <summary>
/// A unit's live counters.
/// <para>
/// Own counters come from the ingest log: deliveries arrive tagged with (shard, position), a
/// position already held is ignored, and a checkpoint records the positions it includes; after a
/// restart the unit catches up from the ledger's pending entries. Nothing is written per event.
/// </para>
/// <para>
/// Subtree counters are own plus what the children report. A child reports the current totals
/// of the days that changed (set semantics with a version, so a repeat changes nothing), at most
/// one report in flight and one per <see cref="MinReportInterval"/>; the parent does the same
/// upward. A unit that activates pulls its children's whole totals and re-reports all its days,
/// so a crash anywhere in the tree heals without any unit trusting lost memory.
/// </para>
/// <para>
/// Immovable, like every grain here: a silo that stops gracefully deactivates its units (each
/// checkpoints) instead of migrating them. Orleans 10 migrates activations on a graceful stop,
/// and a migrated parent's activation asks its children for their totals while those children
/// wait in the same migration queue: the stop hung for the 30 s deactivation timeout, and once in
/// about thirty runs a subtree count stayed wrong afterwards (RedisClusterTests, graceful stop).
/// </para>
/// </summary>
[Orleans.Placement.Immovable]
public sealed partial class UnitGrain(
    [PersistentState("unit", StorageNames.Units)] IPersistentState<UnitState> state,
    IGrainFactory grains,
    Ledger.LedgerConfirmations confirmations,
    UnitTicks ticks,
    UnitWakes wakes,
    TimeProvider clock,
    ILogger<UnitGrain> logger) : Grain, IUnitGrain
{
    /// <summary>Batching window for reports sent up: bounds calls to a parent at 10/s per child.</summary>
    public static readonly TimeSpan MinReportInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>How long a deactivating unit waits for its last report before it lets go.</summary>
    private static readonly TimeSpan FinalReportWait = TimeSpan.FromSeconds(2);

    /// <summary>How often a changed unit checkpoints (and lets the ledger forget what it holds).</summary>
    public static readonly TimeSpan CheckpointInterval = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Checkpoint ticks after a report during which the parent is asked what it holds: a parent
    /// that died holding unreported changes is activated again (pulls its children, re-reports),
    /// and one that holds less than it acknowledged is sent everything again. The questions stop
    /// early once the parent holds the report and has passed it on, and a tick skips its question
    /// when the parent acknowledged a report since the last tick (that report reached it).
    /// </summary>
    private const int VerifyTicks = 6;

    /// <summary>The most children a unit hands their parts of a round to at once.</summary>
    private const int MaxChildCallsInFlight = 1024;

    private readonly PeriodCounters _own = new();

    /// <summary>
    /// Subtree counters apart from own, made when the unit first holds a child: until then (for
    /// every leaf, most units of a tree) the subtree is own itself, counted and kept once.
    /// </summary>
    private PeriodCounters? _apart;
    /// <summary>What each child reported, made when the unit learns it has a child (a leaf never does).</summary>
    private Dictionary<string, ChildHold>? _children;
    /// <summary>Children that left, with the version of their departure (made when the first leaves).</summary>
    private Dictionary<string, long>? _departed;
    /// <summary>Days whose subtree totals changed since the last report, each with a mask of the slots that did.</summary>
    private readonly Dictionary<int, ushort> _dirty = [];
    // Per ledger shard (0 when none): the last position applied to the own counters, the last
    // the ledger was told is checkpointed, and the applied ones the checkpoint on its way wrote.
    // Arrays by shard rather than dictionaries: three dictionaries a unit took about 200 bytes
    // each, and a large tree holds 100,000 units.
    private readonly long[] _applied = new long[IEventLedgerGrain.Shards];
    private readonly long[] _confirmed = new long[IEventLedgerGrain.Shards];
    private readonly long[] _written = new long[IEventLedgerGrain.Shards];
    /// <summary>Former parents owed a detach report, made with the first move.</summary>
    private Dictionary<string, long>? _detaching;
    private string _tenant = "";
    private string _unit = "";
    private string? _parent;
    private long _version;
    private bool _changed;
    private Task _sending = Task.CompletedTask;

    /// <summary>The last checkpoint started (see <see cref="Checkpoint"/>).</summary>
    private Task _checkpoint = Task.CompletedTask;
    private readonly CancellationTokenSource _stopping = new();
    private long _lastReport;
    private int _verifiesOwed;

    /// <summary>The parent acknowledged a report (or took one from an answer) since the last checkpoint tick.</summary>
    private bool _acknowledgedSinceTick;

    /// <summary>The version of the last report the current parent acknowledged (0: none since activation or the last move).</summary>
    private long _acknowledged;
    private Quotas _quotas = Quotas.None;
    /// <summary>The data requests this unit was asked, made with the first (most units are asked for none).</summary>
    private DataRequestMemory? _requests;
    private long _requestsWritten;
    private IAlertsGrain? _alertsGrain;
    // Alerts waiting to be raised, and the ids of those raised: made with the first (most units of
    // a large tree never raise one, and each empty collection was an object the collector copied).
    private List<Alert>? _alerts;
    private HashSet<string>? _raised;

    /// <summary>Whether an event's duplicate-request alert was raised here (made once, see <see cref="CheckRequests"/>).</summary>
    private Func<string, bool>? _alreadyRaised;
    private IEventLedgerGrain?[]? _ledgers;
    private (string Id, IUnitGrain Grain)? _parentGrain;
    private UnitTicks.Ticker? _ticker;
    private bool _resting;

    /// <summary>An answer to the parent's round is being made: it carries the report (see <see cref="ApplyFromParent"/>).</summary>
    private bool _answering;

    /// <summary>The children's holds, made with the first.</summary>
    private Dictionary<string, ChildHold> Children => _children ??= new(StringComparer.Ordinal);

    /// <summary>The former parents owed a detach report, made with the first.</summary>
    private Dictionary<string, long> Detaching => _detaching ??= new(StringComparer.Ordinal);

    /// <summary>The remembered data requests, made with the first.</summary>
    private DataRequestMemory Requests => _requests ??= new();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (_tenant, _unit) = GrainKeys.Split(this.GetPrimaryKeyString());
        var tenant = grains.Reference<ITenantGrain>(_tenant);

        // Orleans read the checkpoint from storage as the grain activated. Units are immovable,
        // so no activation arrives carrying state from another silo (an earlier version read it
        // a second time to guard against that: one more storage read per activation).
        var firstActivation = !state.RecordExists;
        var place = await tenant.GetPlaceOf(_unit);
        if (!firstActivation)
        {
            var s = state.State;
            _parent = s.Parent;
            // A checkpoint written before the compact form holds its counters in Own, and none after.
            // Read, they live in _own alone (the next checkpoint writes them from there).
            _own.Add(s.Own);
            DayCountersCodec.AddTo(s.OwnBlob, _own);
            s.Own = DayDelta.Empty;
            s.OwnBlob = [];
            _version = s.Version;
            foreach (var (shard, position) in s.Applied)
            {
                // (A shard past the current count has no ledger left to read or confirm.)
                if ((uint)shard < (uint)_applied.Length)
                {
                    _applied[shard] = _confirmed[shard] = position;
                }
            }

            foreach (var (former, version) in s.Detaching)
            {
                Detaching[former] = version;
            }

            _quotas = s.Quotas;
            foreach (var request in s.Requests.Concat(DataRequestCodec.Decode(s.RequestBlob)))
            {
                Requests.Add(request, 0);
            }

            _requestsWritten = _requests?.Changes ?? 0;
        }
        else
        {
            // Recorded at once, so a later move finds the parent this unit reported to.
            _parent = place.Parent;
            _changed = true;
        }

        // A unit with a checkpoint takes what the ledger still holds for it past that checkpoint.
        // A unit without one has applied nothing, so the delivery that activated it (nearly always
        // how a unit first activates) would only find its own entries taken already: asking would
        // make the ledger split each pending entry into every unit's share, for nothing. Any
        // delivery that finds an earlier entry missing catches up then.
        if (!firstActivation)
        {
            for (var shard = 0; shard < IEventLedgerGrain.Shards; shard++)
            {
                await CatchUpAsync(shard);
            }
        }

        // A unit that never checkpointed never held a report (it checkpoints before it takes
        // one), so there is nothing to restore: its children report whatever they have, as they
        // would to a new parent, and it only learns who they are. Pulling anyway would wake a new
        // tenant's whole tree at once, each unit pulling from its own children, when its first
        // delivery reached the root.
        var children = place.Children;
        var totals = firstActivation
            ? null
            : await Task.WhenAll(children.Select(c => grains.Reference<IUnitGrain>(GrainKeys.Unit(_tenant, c)).GetSubtreeTotals()));
        for (var i = 0; i < children.Length; i++)
        {
            var hold = new ChildHold();
            if (totals is not null)
            {
                hold.Version = totals[i].Version;
                hold.Set(totals[i].Totals, null, SubtreeApart(), null);
            }

            Children[children[i]] = hold;
        }

        await CheckpointAsync();

        // Whatever the parent holds from an earlier activation, it gets the whole truth again.
        MarkAllDirty();
        StartReporting();
        // The first tick at a random point of the interval: units activated together (a tenant's
        // first batch wakes all of them) would otherwise all checkpoint in the same instant.
        var firstTick = CheckpointInterval * (0.5 + Random.Shared.NextDouble());
        // The unit's own reference through the resolved-once factory path: AsReference resolved
        // the interface type by reflection on every activation (1% of a cold shape-L ingest).
        var key = this.GetPrimaryKeyString();
        var self = grains.Reference<IUnitGrain>(key);
        _ticker = ticks.Start(key, self.Tick, firstTick, CheckpointInterval);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // One last report attempt, briefly: during a shutdown the parent may be gone, or moving
        // and asking this unit for its totals while this unit waits for it. What stays unreported
        // is re-reported whole when this unit next activates, and a parent asks its children for
        // their totals whenever it activates.
        _ticker?.Stop();
        _stopping.Cancel();
        StartReporting();
        try
        {
            await _sending.WaitAsync(FinalReportWait, cancellationToken);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            LogFinalReportAbandoned(logger, _tenant, _unit);
        }

        try
        {
            await CheckpointAsync();
        }
        catch (Exception ex) when (ex is not OperationCanceledException && state.RecordExists && !_changed)
        {
            // The state is written; only the confirmation to the ledger failed. The ledger
            // redelivers unconfirmed entries, which this unit then recognises as held.
            LogConfirmFailed(logger, ex, _tenant, _unit);
        }
    }

    public async Task Apply(UnitDeliveries deliveries)
    {
        var held = _applied[deliveries.Shard];
        if (deliveries.Position <= held)
        {
            return;
        }

        if (deliveries.Previous > held || deliveries.First <= held)
        {
            // An earlier entry never arrived, or part of this run is held already (taken in a
            // catch-up): take everything pending from the ledger instead, entry by entry, in order.
            await CatchUpAsync(deliveries.Shard);
        }
        else
        {
            AddOwn(deliveries);
        }

        await RaiseAlertsAsync();
    }

    public async Task ApplyRound(UnitDeliveries? own, RoundNode[] children)
    {
        if (own is not null)
        {
            await Apply(own);
        }

        await HandOnAsync(children);
    }

    /// <summary>
    /// Hands on the children's parts of a round, each answer taken as it arrives. They go out in
    /// parts: a tenant's first round on a flat tree of thousands of children would otherwise wake
    /// them all at once (see the ledger's MaxCallsInFlight).
    /// </summary>
    private async Task HandOnAsync(RoundNode[] children)
    {
        for (var from = 0; from < children.Length; from += MaxChildCallsInFlight)
        {
            var calls = new Task[Math.Min(MaxChildCallsInFlight, children.Length - from)];
            for (var i = 0; i < calls.Length; i++)
            {
                calls[i] = HandOnAsync(children[from + i]);
            }

            await Task.WhenAll(calls);
        }
    }

    /// <summary>
    /// Hands one child its share and takes the report it answers with, at once (not after its
    /// siblings): the child counts the report as acknowledged. A report the child sent the usual
    /// way may have been taken meanwhile (reports interleave) at a newer version; the answer's
    /// days are then not surely newer than what is held, so the child is asked to report
    /// everything again. A child that left meanwhile has had everything it held dropped.
    /// </summary>
    private async Task HandOnAsync(RoundNode part)
    {
        var id = part.Unit;

        // The references are kept with what is held: making one resolves the interface's type,
        // which is costly once per call of every round.
        var hold = _children?.GetValueOrDefault(id);
        // A first hand-on to a child that hands nothing on most likely wakes it: it waits for one
        // of the silo's slots (see UnitWakes).
        var slot = hold?.Grain is null && part.Children.Length == 0;
        var child = hold is null
            ? grains.Reference<IUnitGrain>(GrainKeys.Unit(_tenant, id))
            : hold.Grain ??= grains.Reference<IUnitGrain>(GrainKeys.Unit(_tenant, id));
        if (slot)
        {
            await wakes.EnterAsync();
        }

        SubtreeReport? report;
        try
        {
            report = await child.ApplyFromParent(part.Own, _unit, hold?.Version ?? -1, part.Children);
        }
        finally
        {
            if (slot)
            {
                wakes.Exit();
            }
        }

        if (report is null || _children is null || !_children.TryGetValue(id, out hold))
        {
            return;
        }

        if (report.Version > hold.Version)
        {
            Take(hold, report);
            StartReporting();
            return;
        }

        LogAnswerOvertaken(logger, _tenant, _unit, id, report.Version, hold.Version);
        await child.ReportAgain();
    }

    public Task ReportAgain()
    {
        _acknowledged = 0;
        MarkAllDirty();
        StartReporting();
        return Task.CompletedTask;
    }

    public async ValueTask<SubtreeReport?> ApplyFromParent(UnitDeliveries? deliveries, string parent, long held, RoundNode[] children)
    {
        // While the answer to this parent is on its way, nothing starts the usual report: the
        // answer carries whatever this turn changes (a report sent meanwhile would be a call for
        // what it carries anyway). Before, every delivery started one, which woke after a timer or
        // a yield only to find the answer had taken everything: 2.5 timers and async frames per
        // event on a large tree. Whatever the answer leaves is reported the usual way after it.
        _answering = held >= 0 && string.Equals(parent, _parent, StringComparison.Ordinal);
        try
        {
            if (deliveries is not null)
            {
                await Apply(deliveries);
            }

            await HandOnAsync(children);
            if (held < 0 || _dirty.Count == 0 || !string.Equals(parent, _parent, StringComparison.Ordinal))
            {
                // Not (or no longer) that unit's child, or a parent that does not know it yet: the
                // report goes the usual way.
                return null;
            }

            _version = Math.Max(_version, held);
            var report = DirtyReport();
            _lastReport = clock.GetUtcNow().UtcTicks;
            _acknowledged = report.Version;
            Acknowledged();
            return report;
        }
        finally
        {
            _answering = false;
            StartReporting();
        }
    }

    public async Task<ReportAck> Report(SubtreeReport report)
    {
        if (!report.Detach && _children?.ContainsKey(report.Child) != true && _departed?.ContainsKey(report.Child) != true
            && !(await grains.Reference<ITenantGrain>(_tenant).GetChildrenOf(_unit)).Contains(report.Child, StringComparer.Ordinal))
        {
            // A late report from a unit that has moved away: it reports to its new parent now.
            return new ReportAck(false, long.MaxValue);
        }

        // Decided and taken in one turn: reports interleave with other turns (see the interface).
        return Hold(report);
    }

    private ReportAck Hold(SubtreeReport report)
    {
        ChildHold? hold = null;
        if (_children?.TryGetValue(report.Child, out hold) == true)
        {
            if (report.Version <= hold.Version)
            {
                return new ReportAck(false, hold.Version);
            }
        }
        else if (_departed is not null && _departed.TryGetValue(report.Child, out var departedAt) && report.Version <= departedAt)
        {
            return new ReportAck(false, departedAt);
        }

        if (report.Detach)
        {
            if (hold is not null)
            {
                hold.Clear(SubtreeApart(), _dirty);
                _children!.Remove(report.Child);
            }

            (_departed ??= new(StringComparer.Ordinal))[report.Child] = report.Version;
        }
        else
        {
            Take(hold ??= Children[report.Child] = new ChildHold(), report);
        }

        StartReporting();
        return new ReportAck(true, report.Version);
    }

    /// <summary>Holds a child's report: its totals of the days it names replace what was held.</summary>
    private void Take(ChildHold hold, SubtreeReport report)
    {
        hold.Version = report.Version;
        hold.Set(report.Totals, report.Masks, SubtreeApart(), _dirty);
        _departed?.Remove(report.Child);
    }

    public Task<SubtreeTotals> GetSubtreeTotals() => Task.FromResult(new SubtreeTotals(_version, Subtree.ToDelta()));

    public async Task SetParent(string? parent)
    {
        if (string.Equals(parent, _parent, StringComparison.Ordinal))
        {
            return;
        }

        // The old parent drops everything it holds from us; the new one gets every day.
        if (_parent is not null)
        {
            Detaching[_parent] = NextVersion();
        }

        _parent = parent;
        _acknowledged = 0;
        _dirty.Clear();
        if (_parent is not null)
        {
            MarkAllDirty();
        }

        MarkChanged();
        await CheckpointAsync();
        StartReporting();
    }

    public async Task SetQuotas(Quotas quotas, AlertSettings settings)
    {
        _quotas = quotas;
        MarkChanged();
        var now = clock.GetUtcNow();
        var today = Period.LocalDate(now, settings.Zone);
        foreach (var (granularity, caps, key) in new[]
        {
            (PeriodGranularity.Month, quotas.Month, PeriodRange.MonthKey(today)),
            (PeriodGranularity.Year, quotas.Year, today.Year),
        })
        {
            foreach (var (kind, cap) in caps)
            {
                Collect(QuotaRules.Evaluate(_unit, kind, granularity, key, Issued(granularity, key, kind), cap, now, settings.Zone, null, []));
            }
        }

        await RaiseAlertsAsync();
        await CheckpointAsync();
    }

    public Task<Quotas> GetQuotas() => Task.FromResult(_quotas);

    public Task<UnitLoad> GetLoad(PeriodRange range) => Task.FromResult(new UnitLoad(_own.Sum(range), Subtree.Sum(range)));

    public Task<long[][]> GetSubtreeSeries(PeriodRange range)
    {
        var series = new long[range.Length][];
        for (var i = 0; i < series.Length; i++)
        {
            series[i] = Subtree.Sum(range with { From = range.From + i, To = range.From + i });
        }

        return Task.FromResult(series);
    }

    public async Task<bool> Flush()
    {
        var pending = HasReports || !_sending.IsCompleted;
        while (HasReports || !_sending.IsCompleted)
        {
            StartReporting();
            await _sending;
        }

        return pending;
    }

    public Task<HeldReport> HeldReportOf(string child) =>
        Task.FromResult(new HeldReport(_children?.TryGetValue(child, out var hold) == true ? hold.Version : 0, _sending.IsCompleted && !HasReports));

    public async Task<bool> VerifyReported() => (await CheckParentAsync()).Resent;

    /// <summary>
    /// Asks the parent what it holds. Settled: it holds the last acknowledged report and has
    /// passed it on, so there is nothing left to ask it about that report.
    /// </summary>
    private async Task<(bool Resent, bool Settled)> CheckParentAsync()
    {
        if (_parent is null || _acknowledged == 0)
        {
            // Nothing acknowledged to ask about: a report that is acknowledged later asks again.
            return (false, true);
        }

        // Reports may be acknowledged while the question is out: judge the answer by what was
        // acknowledged when it was asked (and settle nothing acknowledged since).
        var (parent, acknowledged) = (_parent, _acknowledged);
        var held = await UnitGrainOf(parent).HeldReportOf(_unit);
        if (!string.Equals(parent, _parent, StringComparison.Ordinal))
        {
            return (false, false);
        }

        if (held.Version >= acknowledged)
        {
            return (false, held.PassedOn && _acknowledged == acknowledged);
        }

        // The parent acknowledged a report it no longer holds: an activation of it that took the
        // report is gone without passing it on (a second activation during a membership change,
        // or state lost). Set semantics make a whole report harmless, so send everything again.
        LogParentBehind(logger, _tenant, _unit, parent, held.Version, acknowledged);
        _acknowledged = 0;
        MarkAllDirty();
        StartReporting();
        return (true, false);
    }

    public Task Tick() => TickAsync();

    private async Task TickAsync()
    {
        await RaiseAlertsAsync();
        _ = ObserveAsync(Checkpoint());
        if (_acknowledgedSinceTick)
        {
            // The parent acknowledged a report within the last interval, so it was reached (and
            // activated, had it died); the questions start after the last report.
            _acknowledgedSinceTick = false;
        }
        else if (_verifiesOwed > 0)
        {
            // Counted down even without a parent (a unit moved to the top), so the timer can rest.
            _verifiesOwed--;
            try
            {
                if ((await CheckParentAsync()).Settled && !_acknowledgedSinceTick)
                {
                    _verifiesOwed = 0;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogReportFailed(logger, ex, _tenant, _unit, 0);
            }
        }

        // A checkpoint still on its way confirms what it wrote, or wakes the ticks if it fails.
        if (!_changed && _verifiesOwed == 0 && _alerts is not { Count: > 0 } && (!_checkpoint.IsCompleted || Confirmed()))
        {
            // Nothing to write, confirm, raise or verify: no ticks until something changes. A tree
            // of 100,000 mostly idle units spent about 2% of a core on empty ticks otherwise.
            _resting = true;
            _ticker?.Rest();
        }
    }

    /// <summary>Whether the ledger was told of everything applied.</summary>
    private bool Confirmed()
    {
        for (var shard = 0; shard < _applied.Length; shard++)
        {
            if (_confirmed[shard] < _applied[shard])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A tick's checkpoint, which goes on beside the unit's other turns: a failure is logged, and the next tick writes again.</summary>
    private async Task ObserveAsync(Task checkpoint)
    {
        try
        {
            await checkpoint;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogCheckpointFailed(logger, ex, _tenant, _unit);
        }
    }

    /// <summary>The parent acknowledged a report: it is asked what it holds over the next ticks.</summary>
    private void Acknowledged()
    {
        _verifiesOwed = VerifyTicks;
        _acknowledgedSinceTick = true;
        Wake();
    }

    /// <summary>Something to checkpoint: the checkpoint timer runs again if it rested.</summary>
    private void MarkChanged()
    {
        _changed = true;
        Wake();
    }

    private void Wake()
    {
        if (_resting)
        {
            _resting = false;
            _ticker?.Resume();
        }
    }

    /// <summary>
    /// Raises what alerts are due, then writes the unit's state and confirms its deliveries to the
    /// ledger shards, and waits for both.
    /// </summary>
    private async Task CheckpointAsync()
    {
        // Alerts first: once the checkpoint covers a delivery, nothing would raise its alerts again.
        await RaiseAlertsAsync();
        await Checkpoint();
    }

    /// <summary>
    /// Starts a checkpoint after the one in flight, if any: one write at a time, since the state
    /// object and its etag belong to the write on its way. A tick does not wait for it, so a
    /// round's hand-on is not held behind a write and a confirmation's gather (in cluster mode a
    /// 10 ms group linger, a Redis round trip and 5 ms, every 10 s for every changed unit, so a
    /// round across a large tree could meet several). On failure the unit is marked changed and
    /// ticks again.
    /// </summary>
    private Task Checkpoint() => _checkpoint = WriteAndConfirmAsync(_checkpoint);

    private async Task WriteAndConfirmAsync(Task previous)
    {
        await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        try
        {
            // What this checkpoint covers: what the state records when it writes, or what was
            // applied (and written by an earlier one) when nothing changed.
            _applied.CopyTo(_written, 0);
            if (_changed)
            {
                var s = state.State;
                s.Parent = _parent;
                s.Own = DayDelta.Empty;
                s.OwnBlob = DayCountersCodec.Encode(_own);
                // The state's own dictionaries are refilled, not made anew: the store has encoded
                // the last write's by now (this write waits for it), and a dictionary made per
                // checkpoint lived until the next one, long enough to be copied by the collector.
                s.Applied.Clear();
                for (var shard = 0; shard < _applied.Length; shard++)
                {
                    if (_applied[shard] != 0)
                    {
                        s.Applied[shard] = _applied[shard];
                    }
                }

                s.Version = _version;
                Refill(s.Detaching, _detaching);
                s.Quotas = _quotas;
                if (_requests is not null && (_requestsWritten != _requests.Changes || s.Requests.Length > 0))
                {
                    s.Requests = [];
                    s.RequestBlob = DataRequestCodec.Encode(_requests);
                    _requestsWritten = _requests.Changes;
                }

                // Changes from here on are the next checkpoint's.
                _changed = false;
                try
                {
                    await state.WriteStateAsync();
                }
                catch
                {
                    _changed = true;
                    throw;
                }

                // Written: the counters live in _own, so the copy need not stay in memory until the
                // next checkpoint (it is rebuilt then; activation reads it back from storage).
                s.OwnBlob = [];
            }

            for (var shard = 0; shard < _written.Length; shard++)
            {
                var position = _written[shard];
                if (_confirmed[shard] < position)
                {
                    await confirmations.Confirm(_tenant, shard, _unit, position);
                    _confirmed[shard] = Math.Max(_confirmed[shard], position);
                }
            }
        }
        catch
        {
            Wake();
            throw;
        }
    }

    private static void Refill(Dictionary<string, long> into, Dictionary<string, long>? from)
    {
        into.Clear();
        if (from is null)
        {
            return;
        }

        foreach (var (key, value) in from)
        {
            into[key] = value;
        }
    }

    /// <summary>A unit grain reference, kept for the parent (grain references are not free to make).</summary>
    private IUnitGrain UnitGrainOf(string unit)
    {
        if (_parentGrain is { } held && string.Equals(held.Id, unit, StringComparison.Ordinal))
        {
            return held.Grain;
        }

        var grain = grains.Reference<IUnitGrain>(GrainKeys.Unit(_tenant, unit));
        if (string.Equals(unit, _parent, StringComparison.Ordinal))
        {
            _parentGrain = (unit, grain);
        }

        return grain;
    }

    private IEventLedgerGrain Ledger(int shard) =>
        (_ledgers ??= new IEventLedgerGrain?[IEventLedgerGrain.Shards])[shard] ??= grains.Reference<IEventLedgerGrain>(GrainKeys.LedgerShard(_tenant, shard));

    /// <summary>Own plus what the children report: own itself while the unit has held no child.</summary>
    private PeriodCounters Subtree => _apart ?? _own;

    /// <summary>The subtree counters apart from own, copied from own the first time a child is held.</summary>
    private PeriodCounters SubtreeApart()
    {
        if (_apart is null)
        {
            _apart = new PeriodCounters();
            _apart.Add(_own.ToDelta());
        }

        return _apart;
    }

    private bool HasReports => _detaching is { Count: > 0 } || (_parent is not null && _dirty.Count > 0);

    /// <summary>Every slot of every day held: the parent gets the whole truth again.</summary>
    private void MarkAllDirty()
    {
        foreach (var day in Subtree.DayKeys)
        {
            _dirty[day] = AllSlots;
        }
    }

    private const ushort AllSlots = (1 << LoadCounters.Width) - 1;

    private static void MarkDirty(Dictionary<int, ushort> dirty, int day, int mask)
    {
        ref var held = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(dirty, day, out _);
        held |= (ushort)mask;
    }

    private async Task CatchUpAsync(int shard)
    {
        var missed = await Ledger(shard).CatchUp(_unit, _applied[shard]);
        foreach (var deliveries in missed)
        {
            if (deliveries.Position > _applied[shard])
            {
                AddOwn(deliveries);
            }
        }
    }

    private void AddOwn(UnitDeliveries deliveries)
    {
        _applied[deliveries.Shard] = deliveries.Position;
        _own.Add(deliveries.Own);
        _apart?.Add(deliveries.Own);
        foreach (var cell in deliveries.Own.Cells)
        {
            MarkDirty(_dirty, CellDelta.DayOf(cell), 1 << CellDelta.SlotOf(cell));
        }

        MarkChanged();
        StartReporting();
        if (deliveries.Settings is { } settings)
        {
            CheckRequests(deliveries.Requests, settings);
            CheckQuotas(deliveries.Issued, settings);
        }
    }

    private void CheckRequests(DataRequest[] requests, AlertSettings settings)
    {
        // A request already reported as a duplicate here is one again whenever an earlier request
        // arrives after it; the alert it would make is dropped (its id is raised), so it is not
        // made: on a busy unit that was several alerts' text per data request, for nothing.
        var reported = _raised is null ? null : _alreadyRaised ??= eventId => _raised?.Contains(DuplicateAlertId(eventId)) == true;
        foreach (var request in requests)
        {
            foreach (var (later, earlier) in Requests.Add(request, settings.DuplicateWindowDays, reported))
            {
                var day = PeriodRange.Format(PeriodGranularity.Day, later.Day);
                var earlierDay = PeriodRange.Format(PeriodGranularity.Day, earlier.Day);
                Collect(new Alert(
                    DuplicateAlertId(later.EventId), AlertTypes.DuplicateDataRequest, later.Source, [_unit], later.EventId, day, clock.GetUtcNow(),
                    $"{_unit} 已于 {earlierDay} 应 {earlier.Source} 要求报送“{later.Item}”，{later.Source} 于 {day} 重复要求（{earlier.EventId}、{later.EventId}）/ {_unit} was asked for '{later.Item}' by {earlier.Source} on {earlierDay}; {later.Source} asked again on {day} ({earlier.EventId}, {later.EventId})"));
            }
        }

        if (requests.Length > 0)
        {
            Requests.Prune(requests.Max(r => r.Day));
        }
    }

    private string DuplicateAlertId(string eventId) => $"{AlertTypes.DuplicateDataRequest}:{eventId}:{_unit}";

    private void CheckQuotas(IssuedEvent[] issued, AlertSettings settings)
    {
        if (_quotas.IsEmpty || issued.Length == 0)
        {
            return;
        }

        var now = clock.GetUtcNow();
        foreach (var group in issued.GroupBy(e => (e.Kind, Month: PeriodRange.MonthKey(e.Day), DateOnly.FromDayNumber(e.Day).Year)))
        {
            var last = group.Last();
            if (_quotas.Month.TryGetValue(group.Key.Kind, out var monthCap))
            {
                Collect(QuotaRules.Evaluate(_unit, group.Key.Kind, PeriodGranularity.Month, group.Key.Month, Issued(PeriodGranularity.Month, group.Key.Month, group.Key.Kind), monthCap, now, settings.Zone, last.EventId, last.Targets));
            }

            if (_quotas.Year.TryGetValue(group.Key.Kind, out var yearCap))
            {
                Collect(QuotaRules.Evaluate(_unit, group.Key.Kind, PeriodGranularity.Year, group.Key.Year, Issued(PeriodGranularity.Year, group.Key.Year, group.Key.Kind), yearCap, now, settings.Zone, last.EventId, last.Targets));
            }
        }
    }

    private long Issued(PeriodGranularity granularity, int key, EventKind kind) =>
        _own.Sum(new PeriodRange(granularity, key, key))[LoadCounters.Issued(kind)];

    private void Collect(Alert? alert)
    {
        if (alert is not null && _raised?.Contains(alert.Id) != true)
        {
            (_alerts ??= []).Add(alert);
            Wake();
        }
    }

    private async Task RaiseAlertsAsync()
    {
        if (_alerts is not { Count: > 0 })
        {
            return;
        }

        var alerts = _alerts.ToArray();
        await (_alertsGrain ??= grains.Reference<IAlertsGrain>(_tenant)).Raise(alerts);
        _alerts.RemoveRange(0, alerts.Length);
        (_raised ??= new(StringComparer.Ordinal)).UnionWith(alerts.Select(a => a.Id));
    }

    private long NextVersion() => _version = Math.Max(_version + 1, clock.GetUtcNow().UtcTicks);

    private void StartReporting()
    {
        if (!_answering && _sending.IsCompleted && HasReports)
        {
            _sending = ReportAsync();
        }
    }

    private async Task ReportAsync()
    {
        var failures = 0;
        while (HasReports)
        {
            var wait = TimeSpan.FromTicks(_lastReport + MinReportInterval.Ticks - clock.GetUtcNow().UtcTicks);
            if (wait > TimeSpan.Zero && !_stopping.IsCancellationRequested)
            {
                await Task.Delay(wait, clock, _stopping.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
            }
            else
            {
                // Let the current turn finish so changes arriving with it join this report.
                await Task.Yield();
            }

            _lastReport = clock.GetUtcNow().UtcTicks;
            try
            {
                if (_detaching is { Count: > 0 })
                {
                    var (former, version) = _detaching.First();
                    await grains.Reference<IUnitGrain>(GrainKeys.Unit(_tenant, former)).Report(new SubtreeReport(_unit, version, DayDelta.Empty, Detach: true));
                    _detaching.Remove(former);
                    MarkChanged();
                }
                else if (_parent is not null && _dirty.Count > 0)
                {
                    await SendTotalsAsync(_parent);
                }

                failures = 0;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                failures++;
                LogReportFailed(logger, ex, _tenant, _unit, failures);
                if (_stopping.IsCancellationRequested)
                {
                    return;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5_000, 50 << Math.Min(failures, 7))), clock, _stopping.Token)
                    .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
            }
        }
    }

    private async Task SendTotalsAsync(string parent)
    {
        var report = DirtyReport();
        ReportAck ack;
        try
        {
            ack = await UnitGrainOf(parent).Report(report);
        }
        catch
        {
            RequeueFor(parent, report);
            throw;
        }

        Acknowledged();
        if (ack.Accepted && string.Equals(parent, _parent, StringComparison.Ordinal))
        {
            _acknowledged = ack.HeldVersion;
        }
        else if (!ack.Accepted && ack.HeldVersion != long.MaxValue)
        {
            // The parent holds a newer version (an earlier activation of ours reported it, or a
            // report the parent took from an answer overtook this one): move past it and report
            // these days again.
            _version = Math.Max(_version, ack.HeldVersion);
            RequeueFor(parent, report);
        }
    }

    /// <summary>
    /// The report of every day whose subtree totals changed since the last one, at a new version;
    /// the days are no longer dirty (a report that fails puts them back).
    /// </summary>
    private SubtreeReport DirtyReport()
    {
        var days = new int[_dirty.Count];
        var masks = new ushort[days.Length];
        var slots = 0;
        var n = 0;
        foreach (var (day, mask) in _dirty)
        {
            days[n] = day;
            masks[n++] = mask;
            slots += System.Numerics.BitOperations.PopCount(mask);
        }

        _dirty.Clear();
        Array.Sort(days, masks);

        // Only the slots that changed travel (usually one or two of fourteen per day).
        var values = new long[slots];
        var at = 0;
        for (var i = 0; i < days.Length; i++)
        {
            for (int mask = masks[i]; mask != 0; mask &= mask - 1)
            {
                values[at++] = Subtree.Get(days[i], System.Numerics.BitOperations.TrailingZeroCount(mask));
            }
        }

        return new SubtreeReport(_unit, NextVersion(), new DayDelta(days, values), Detach: false, masks);
    }

    private void RequeueFor(string parent, SubtreeReport report)
    {
        if (string.Equals(parent, _parent, StringComparison.Ordinal))
        {
            for (var i = 0; i < report.Totals.Days.Length; i++)
            {
                MarkDirty(_dirty, report.Totals.Days[i], report.Masks![i]);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Unit {Tenant}/{Unit} deactivates before its last report was answered; it reports again when it next activates")]
    private static partial void LogFinalReportAbandoned(ILogger logger, string tenant, string unit);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Unit {Tenant}/{Unit} could not write or confirm a checkpoint; it tries again at its next tick")]
    private static partial void LogCheckpointFailed(ILogger logger, Exception exception, string tenant, string unit);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Unit {Tenant}/{Unit} could not confirm its deliveries to the ledger while deactivating; the ledger will redeliver them")]
    private static partial void LogConfirmFailed(ILogger logger, Exception exception, string tenant, string unit);

    [LoggerMessage(Level = LogLevel.Information, Message = "Unit {Tenant}/{Unit}: child {Child} answered with report {Answered}, but report {Held} was taken first; the child reports everything again")]
    private static partial void LogAnswerOvertaken(ILogger logger, string tenant, string unit, string child, long answered, long held);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Unit {Tenant}/{Unit}: parent {Parent} holds report {Held}, older than the acknowledged {Acknowledged}; reporting the whole subtree again")]
    private static partial void LogParentBehind(ILogger logger, string tenant, string unit, string parent, long held, long acknowledged);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Unit {Tenant}/{Unit} could not report to its parent (attempt {Attempt}); retrying")]
    private static partial void LogReportFailed(ILogger logger, Exception ex, string tenant, string unit, int attempt);

    /// <summary>
    /// What a parent holds from one child: its subtree totals by day and slot, and their version.
    /// Cells, not rows of fourteen counters: a report names one or two slots of a day, so most
    /// of a row held zeros (on a tree of 100,000 units, the holds of leaves were a fifth of the
    /// live heap).
    /// </summary>
    private sealed class ChildHold
    {
        private readonly CellTable _cells = new();

        public long Version { get; set; }

        /// <summary>The child's grain, once this unit has called it.</summary>
        public IUnitGrain? Grain { get; set; }

        /// <summary>
        /// Sets the child's totals for the given days (all slots, or the slots of each day's mask),
        /// folding the difference into the subtree and marking the slots that changed.
        /// </summary>
        public void Set(DayDelta totals, ushort[]? masks, PeriodCounters subtree, Dictionary<int, ushort>? dirty)
        {
            // Only the slots present are walked (a report usually carries one or two of fourteen
            // per day), and a change goes straight into the subtree's day: no vector of zeros added.
            // A slot that is zero and stays zero takes no cell (a pulled total names every slot).
            var values = totals.Values;
            if (_cells.Count == 0)
            {
                // A first report (or pull) sizes the table once, instead of growing it step by step.
                _cells.Reserve(masks is null ? totals.Days.Length * 2 : values.Length);
            }

            var at = 0;
            for (var i = 0; i < totals.Days.Length; i++)
            {
                var day = totals.Days[i];
                var changed = 0;
                for (int present = masks is null ? AllSlots : masks[i]; present != 0; present &= present - 1)
                {
                    var k = System.Numerics.BitOperations.TrailingZeroCount(present);
                    var incoming = values[at++];
                    ref var held = ref incoming == 0 ? ref _cells.Find(day, k) : ref _cells.GetOrAdd(day, k);
                    var change = incoming - (Unsafe.IsNullRef(ref held) ? 0 : held);
                    if (change == 0)
                    {
                        continue;
                    }

                    // Held (a change means the incoming total or the held one is not zero).
                    held = incoming;
                    subtree.Add(day, k, change);
                    changed |= 1 << k;
                }

                if (changed != 0 && dirty is not null)
                {
                    MarkDirty(dirty, day, changed);
                }
            }
        }

        /// <summary>Takes everything held out of the subtree.</summary>
        public void Clear(PeriodCounters subtree, Dictionary<int, ushort> dirty)
        {
            foreach (var (day, slot, value) in _cells.Cells)
            {
                if (value != 0)
                {
                    subtree.Add(day, slot, -value);
                    MarkDirty(dirty, day, 1 << slot);
                }
            }

            _cells.Clear();
        }
    }
}
