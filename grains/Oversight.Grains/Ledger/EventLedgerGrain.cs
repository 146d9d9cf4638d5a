using Microsoft.Extensions.Logging;
using Oversight.Domain;
using Oversight.Governance;
using Oversight.Grains.Log;

namespace Oversight.Grains.Ledger;

/// <summary>
/// One ingest shard of a tenant. Exactly once, durable on acknowledgement, without a storage
/// write per event:
/// <list type="number">
/// <item>new ids are found against an in-memory set of 128-bit id hashes;</item>
/// <item>the batch's new events are appended to the shard's log in one write; only then is the
/// batch acknowledged, so an id is "taken" exactly when its event is durable;</item>
/// <item>the entry's deliveries go to the units, tagged with (shard, position), by a delivery
/// pump that runs beside ingest: each round merges everything a unit is owed from every entry
/// logged since the last round into one call, so calls per unit stay bounded however fast batches
/// arrive; a unit ignores positions it already holds, so a replay never double counts;</item>
/// <item>an entry stays pending until every unit it touches has checkpointed it; a unit that
/// restarts from an older checkpoint catches up from the pending entries, and a restarted
/// ledger rebuilds its ids and pending entries from the log.</item>
/// </list>
/// A shard holding pending entries keeps a reminder (in Redis in cluster mode), so after a crash
/// it is activated again and replays them even if no request arrives; the tenant's activation
/// wakes it sooner (<see cref="IEventLedgerGrain.Wake"/>).
/// </summary>
[Orleans.Placement.Immovable]
public sealed partial class EventLedgerGrain(
    [PersistentState("ledger", StorageNames.Store)] IPersistentState<EventLedgerState> state,
    LedgerLog log,
    IGrainFactory grains,
    TimeProvider clock,
    ILogger<EventLedgerGrain> logger) : Grain, IEventLedgerGrain, IRemindable
{
    /// <summary>The reminder a shard keeps while it holds entries not yet durable in every unit.</summary>
    public const string ReplayReminder = "ledgerReplay";

    /// <summary>How often the replay reminder fires (Orleans' shortest reminder period).</summary>
    public static readonly TimeSpan ReplayReminderPeriod = TimeSpan.FromMinutes(1);

    /// <summary>How long an id is remembered; the contract asks for at least 400 days.</summary>
    public const int RetentionDays = 410;

    private static readonly TimeSpan MaintenanceInterval = TimeSpan.FromSeconds(5);

    /// <summary>
    /// An entry a unit has not confirmed this long after a round handed it out is delivered to it
    /// again: a unit that died before checkpointing is activated by that call and catches up.
    /// </summary>
    private static readonly TimeSpan RedeliverAfter = TimeSpan.FromSeconds(20);

    /// <summary>
    /// The shortest time between two delivery rounds: under load a round carries every batch
    /// logged during this window to each unit in one call; when idle a batch goes out at once.
    /// </summary>
    private static readonly TimeSpan MinRoundInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// How long after a round a new one waits for the callers that round answered to send their
    /// next batch (see <see cref="GatherAsync"/>).
    /// </summary>
    private static readonly TimeSpan GatherWindow = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// The most units a round calls at once (and the maintenance timer redelivers to per tick).
    /// A tenant's first rounds on a tree of 100,000 units
    /// wake tens of thousands of them; Orleans places each new activation in a worker that walks
    /// every placement in progress whenever one completes, so calling them all at once cost time
    /// quadratic in the units (a tenth of all CPU on shape L). A round in parts of this many keeps
    /// that walk short; rounds of a tree this size or smaller go out whole, as before. A part
    /// counts the ledger's own calls: a round going down the tree is one call per top (nearly
    /// always the root), and each unit hands on to at most 1,024 children at once.
    /// </summary>
    private const int MaxCallsInFlight = 2048;

    /// <summary>The most events one log entry takes when queued batches are written together.</summary>
    private const int MaxEntryEvents = 16_384;

    private readonly IdSet _seen = new();
    private CommitQueue<Batch> _commits = null!;
    private readonly SortedDictionary<long, Pending> _pending = [];
    private readonly Dictionary<string, PendingPositions> _pendingByUnit = new(StringComparer.Ordinal);
    private readonly List<(long Position, int Day)> _entryDays = [];
    private readonly HashSet<(string Unit, long Position)> _undelivered = [];
    private readonly SortedDictionary<long, LogEntry> _ungoverned = [];
    private readonly List<LogEntry> _unsent = [];
    /// <summary>Callers waiting until the events delivered (<see cref="_deliveredEvents"/>) reach a count.</summary>
    private readonly List<(long Events, bool Own, TaskCompletionSource Done)> _waiters = [];

    /// <summary>Of <see cref="_waiters"/>, those waiting for their own batch (behind 0): each will send another once answered.</summary>
    private int _ownWaiters;

    /// <summary>The callers waiting for their own batch that the next round should gather: those the last round answered and those it left waiting.</summary>
    private int _gatherFor;
    private TaskCompletionSource? _gathered;
    private long _lastRoundEnd;
    /// <summary>Entries not yet delivered, each with the count of events logged through it.</summary>
    private readonly Queue<(long Position, long Events)> _undeliveredEntries = new();
    /// <summary>Events logged (accepted, or replayed as pending) by this activation.</summary>
    private long _loggedEvents;
    /// <summary>Of <see cref="_loggedEvents"/>, those handed to their units.</summary>
    private long _deliveredEvents;
    private readonly Dictionary<string, IUnitGrain> _units = new(StringComparer.Ordinal);
    /// <summary>
    /// Each unit's parent, as of tree version <see cref="_treeVersion"/>, to send a round's shares
    /// down the tree. Only a route: a unit handed a share by a unit that is not
    /// (or no longer) its parent counts it all the same and reports the usual way.
    /// </summary>
    private Dictionary<string, string> _parentOf = new(StringComparer.Ordinal);
    private long _treeVersion = long.MinValue;
    private Task _pumping = Task.CompletedTask;

    /// <summary>Orders registering and dropping the replay reminder (each awaits the reminder table).</summary>
    private readonly SemaphoreSlim _reminderGate = new(1, 1);

    /// <summary>The replay reminder, once this activation registered it (an earlier one's is not looked up: registering again replaces it).</summary>
    private IGrainReminder? _reminder;
    private long _deliveredThrough;
    private long _lastRound;
    private string _tenant = "";
    private int _shard;
    private long _position;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var (tenant, shard) = GrainKeys.Split(this.GetPrimaryKeyString());
        _tenant = tenant;
        _shard = int.Parse(shard, System.Globalization.CultureInfo.InvariantCulture);
        _commits = new CommitQueue<Batch>(WriteAsync, JoinsEntry, WriteFailed);
        _position = state.State.Watermark;
        await foreach (var bytes in log.ReadAllAsync(_tenant, _shard).WithCancellation(cancellationToken))
        {
            var entry = log.Decode(bytes);
            _position = Math.Max(_position, entry.Position);
            _entryDays.Add((entry.Position, entry.AcceptedDay));
            foreach (var e in entry.Events)
            {
                _seen.Set(Ids.Hash(e.Id), entry.AcceptedDay);
            }

            if (entry.Position > state.State.Watermark)
            {
                AddPending(entry, bytes);
                _ungoverned[entry.Position] = entry;
            }
        }

        this.RegisterGrainTimer(MaintainAsync, new GrainTimerCreationOptions(MaintenanceInterval, MaintenanceInterval) { Interleave = false });
        if (_unsent.Count > 0)
        {
            LogReplaying(logger, _tenant, _shard, _pending.Count);
            StartPump();
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Whatever is still owed is in the log: the next activation replays it. A caller waiting
        // for delivery is answered now, since its events are durable, rather than timing out.
        foreach (var (_, _, done) in _waiters)
        {
            done.TrySetResult();
        }

        _waiters.Clear();
        _ownWaiters = 0;
        return Task.CompletedTask;
    }

    public async Task<bool[]> Ingest(EventBatch batch, AlertSettings settings)
    {
        var events = batch.Events;
        if (_commits.Failure is { } failure)
        {
            throw failure;
        }

        var fresh = new bool[events.Length];
        var accepted = new List<LoggedEvent>(events.Length);
        var hashes = new List<UInt128>(events.Length);
        var today = Today();
        var all = new UInt128[events.Length];
        for (var i = 0; i < events.Length; i++)
        {
            all[i] = Ids.Hash(events[i].Id);
        }

        _seen.Touch(all);
        for (var i = 0; i < events.Length; i++)
        {
            var hash = all[i];
            if (_seen.TryAdd(hash, today))
            {
                fresh[i] = true;
                accepted.Add(events[i]);
                hashes.Add(hash);
            }
        }

        if (accepted.Count > 0)
        {
            await _commits.Add(new Batch([.. accepted], [.. hashes], settings, today));
        }
        else if (events.Length > 0)
        {
            // A repeat may be of an event still on its way into the log: it is a duplicate only
            // once that write succeeded (batches are written in order, so the last one decides).
            await _commits.Drained;
        }

        return fresh;
    }

    public async Task<IngestAnswer> IngestAndWait(EventBatch events, AlertSettings settings, TimeSpan within, int behind)
    {
        var fresh = await Ingest(events, settings);
        return new IngestAnswer(fresh, Array.IndexOf(fresh, true) < 0 || await Delivered(within, behind));
    }

    /// <summary>
    /// Writes a group of batches to the log as one entry, then hands it to the delivery pump. A
    /// log write is a Redis round trip in cluster mode: one write per batch at a time made eight
    /// clients queue behind each other's writes.
    /// </summary>
    private async Task WriteAsync(IReadOnlyList<Batch> batches)
    {
        // Before the entry is durable: once it is acknowledged, a crash must find a reminder.
        await KeepReminderAsync();
        var first = batches[0];
        var entry = new LogEntry(_position + 1, first.Day, batches.Count == 1 ? first.Events : [.. batches.SelectMany(b => b.Events)], first.Settings);
        var bytes = LedgerLog.Encode(entry);
        await log.AppendAsync(_tenant, _shard, entry.Position, bytes);
        _position = entry.Position;
        _entryDays.Add((entry.Position, entry.AcceptedDay));
        AddPending(entry, bytes);
        _ungoverned[entry.Position] = entry;
        StartPump();
    }

    /// <summary>One log entry holds batches of the same day and settings, up to <see cref="MaxEntryEvents"/> events.</summary>
    private static bool JoinsEntry(IReadOnlyList<Batch> entry, Batch next) =>
        next.Day == entry[0].Day && next.Settings == entry[0].Settings && entry.Sum(b => b.Events.Length) + next.Events.Length <= MaxEntryEvents;

    /// <summary>
    /// A log write failed, and whether it landed is unknown: this activation's view is given up
    /// (the next one rebuilds it from the log, so a retry finds the truth), and the batches that
    /// were not written are forgotten so their retries are taken.
    /// </summary>
    private OrleansException WriteFailed(IReadOnlyList<Batch> batches, Exception error)
    {
        foreach (var batch in batches)
        {
            foreach (var hash in batch.Hashes)
            {
                _seen.Remove(hash);
            }
        }

        DeactivateOnIdle();
        return new OrleansException("A batch could not be made durable in the ledger's log; retry it (ids already counted are reported as duplicates).", error);
    }

    public Task Wake() => Task.CompletedTask;

    /// <summary>
    /// The activation this tick may have caused replayed what is pending; with nothing pending (an
    /// earlier activation died before dropping its reminder) the reminder goes.
    /// </summary>
    public Task ReceiveReminder(string reminderName, TickStatus status) =>
        string.Equals(reminderName, ReplayReminder, StringComparison.Ordinal) ? DropReminderIfIdleAsync(lookUp: true) : Task.CompletedTask;

    private bool HoldsPending => _pending.Count > 0 || _ungoverned.Count > 0 || _unsent.Count > 0 || _commits.Busy;

    /// <summary>
    /// Registers the replay reminder unless this activation holds it. A reminder table that fails
    /// does not fail the batch (the entry is still logged and delivered); it is logged, and the
    /// next batch tries again.
    /// </summary>
    private async Task KeepReminderAsync()
    {
        // The gate orders this after a drop in progress (which saw nothing pending), so the
        // reminder a drop removes is registered again before the entry is written.
        await _reminderGate.WaitAsync();
        try
        {
            if (_reminder is null)
            {
                _reminder = await this.RegisterOrUpdateReminder(ReplayReminder, ReplayReminderPeriod, ReplayReminderPeriod);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogReminderFailed(logger, ex, _tenant, _shard);
        }
        finally
        {
            _reminderGate.Release();
        }
    }

    /// <summary>
    /// Drops the replay reminder once nothing is pending: the one this activation registered, or
    /// (with <paramref name="lookUp"/>) one an earlier activation left. A reminder table that
    /// fails is logged, and the next tick tries again.
    /// </summary>
    private async Task DropReminderIfIdleAsync(bool lookUp)
    {
        if (HoldsPending || (_reminder is null && !lookUp))
        {
            return;
        }

        await _reminderGate.WaitAsync();
        try
        {
            // Checked again inside the gate: a batch may have been queued meanwhile.
            if (!HoldsPending && (_reminder ??= await this.GetReminder(ReplayReminder)) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
                _reminder = null;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogReminderFailed(logger, ex, _tenant, _shard);
        }
        finally
        {
            _reminderGate.Release();
        }
    }

    public async Task<bool> Delivered(TimeSpan within, int behind)
    {
        var target = _loggedEvents - Math.Max(0, behind);
        if (_deliveredEvents >= target)
        {
            return true;
        }

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiters.Add((target, behind <= 0, done));
        if (behind <= 0 && ++_ownWaiters >= _gatherFor)
        {
            _gathered?.TrySetResult();
        }

        StartPump();
        try
        {
            await done.Task.WaitAsync(within, clock);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    public Task<UnitDeliveries[]> CatchUp(string unit, long after)
    {
        if (!_pendingByUnit.TryGetValue(unit, out var positions))
        {
            return Task.FromResult<UnitDeliveries[]>([]);
        }

        var from = positions.IndexAfter(after);
        var missed = new UnitDeliveries[positions.Count - from];
        for (var i = 0; i < missed.Length; i++)
        {
            missed[i] = _pending[positions[from + i]].ShareOf(unit, _shard, log);
        }

        return Task.FromResult(missed);
    }

    public Task Confirm(string[] units, long[] positions)
    {
        if (units.Length != positions.Length)
        {
            throw new ArgumentException($"{units.Length} units but {positions.Length} positions.", nameof(positions));
        }

        for (var i = 0; i < units.Length; i++)
        {
            Confirm(units[i], positions[i]);
        }

        return Task.CompletedTask;
    }

    private void Confirm(string unit, long position)
    {
        if (_pendingByUnit.TryGetValue(unit, out var positions))
        {
            foreach (var p in positions.RemoveThrough(position))
            {
                _undelivered.Remove((unit, p));
                var pending = _pending[p];
                if (--pending.Remaining == 0)
                {
                    _pending.Remove(p);
                }
            }

            if (positions.Count == 0)
            {
                _pendingByUnit.Remove(unit);
            }
        }
    }

    /// <summary>
    /// Records an entry as pending for every unit it touches (until each confirms it durable) and
    /// queues it for the next delivery round. The pending record keeps the entry's binary form
    /// (<paramref name="bytes"/>); the objects go with the round.
    /// </summary>
    private void AddPending(LogEntry entry, byte[] bytes)
    {
        _loggedEvents += entry.Events.Length;
        _undeliveredEntries.Enqueue((entry.Position, _loggedEvents));
        var units = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in entry.Events)
        {
            units.Add(e.Source);
            foreach (var target in e.Targets)
            {
                units.Add(target);
            }
        }

        foreach (var unit in units)
        {
            if (!_pendingByUnit.TryGetValue(unit, out var positions))
            {
                _pendingByUnit[unit] = positions = new PendingPositions();
            }

            positions.Add(entry.Position);
        }

        _pending[entry.Position] = new Pending(bytes) { Remaining = units.Count };
        _unsent.Add(entry);
    }

    /// <summary>
    /// Raises the entries' own alerts and feeds the cascade index. Both are idempotent; on failure
    /// the maintenance timer tries again, so no alert is lost and none is raised twice.
    /// </summary>
    private async Task GovernAsync(LogEntry[] entries)
    {
        foreach (var entry in entries)
        {
            try
            {
                List<Alert>? alerts = null;
                foreach (var e in entry.Events)
                {
                    if (EventAlerts.For(e, entry.Settings, clock.GetUtcNow()) is { Length: > 0 } raised)
                    {
                        (alerts ??= []).AddRange(raised);
                    }
                }

                if (alerts is not null)
                {
                    await grains.Reference<IAlertsGrain>(_tenant).Raise([.. alerts]);
                }

                await grains.Reference<ICascadeGrain>(_tenant).Record(entry.Events, entry.Settings);
                _ungoverned.Remove(entry.Position);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogRedeliveryFailed(logger, ex, _tenant, _shard);
                return;
            }
        }
    }

    private void StartPump()
    {
        if (_pumping.IsCompleted && (_unsent.Count > 0 || _waiters.Count > 0))
        {
            _pumping = PumpAsync();
        }
    }

    /// <summary>
    /// Hands out what the units are owed, a round at a time, until nothing is left. A round sends
    /// each unit one merged delivery, and governs the entries logged since the last round.
    /// </summary>
    private async Task PumpAsync()
    {
        try
        {
            // Let the current turn finish first: batches that arrive with it join this round.
            await Task.Yield();
            while (_unsent.Count > 0)
            {
                var wait = TimeSpan.FromTicks(_lastRound + MinRoundInterval.Ticks - clock.GetUtcNow().UtcTicks);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, clock);
                }

                await GatherAsync();

                _lastRound = clock.GetUtcNow().UtcTicks;
                await RefreshTreeAsync();
                var through = _position;
                var round = Round();
                var governing = _ungoverned.Count > 0 ? GovernAsync([.. _ungoverned.Values]) : Task.CompletedTask;
                for (var from = 0; from < round.Count; from += MaxCallsInFlight)
                {
                    await SendAsync(round, from, Math.Min(round.Count, from + MaxCallsInFlight));
                }

                await governing;
                var waiting = _ownWaiters;
                DeliveredThrough(through);
                _gatherFor = waiting;
                _lastRoundEnd = clock.GetUtcNow().UtcTicks;
            }
        }
        finally
        {
            // Normally nothing is left here; if the pump was stopped, each unit still owed an
            // entry goes to the maintenance timer, so no caller waits on a pump that is gone.
            foreach (var (unit, share) in Shares(_unsent))
            {
                _undelivered.Add((unit, share.Last));
            }

            _unsent.Clear();
            DeliveredThrough(_position);
        }
    }

    /// <summary>The tree as the tenant holds it now, when it changed; a failure keeps the last one (routes only).</summary>
    private async Task RefreshTreeAsync()
    {
        try
        {
            if (await grains.Reference<ITenantGrain>(_tenant).GetTreeIfChanged(_treeVersion) is { } tree)
            {
                var parents = new Dictionary<string, string>(tree.Units.Length, StringComparer.Ordinal);
                foreach (var unit in tree.Units)
                {
                    if (unit.ParentId is { } parent)
                    {
                        parents[unit.Id] = parent;
                    }
                }

                (_parentOf, _treeVersion) = (parents, tree.Version);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogTreeUnavailable(logger, ex, _tenant, _shard);
        }
    }

    /// <summary>
    /// Hands deliveries to their units all at once (a part of a round, or the timer's redeliveries)
    /// and waits for every answer; a unit that did not take its share is listed for redelivery
    /// (every share in a call that failed, down the tree: units ignore positions they hold).
    /// </summary>
    private async Task SendAsync(List<RoundCall> round, int from, int to)
    {
        var calls = new Task[to - from];
        for (var i = 0; i < calls.Length; i++)
        {
            var call = round[from + i];
            calls[i] = call.Children is null
                ? Unit(call.Unit).Apply(call.Own!)
                : Unit(call.Unit).ApplyRound(call.Own, call.Children);
        }

        try
        {
            await Task.WhenAll(calls);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The entries are durable; a unit that missed its share gets it again from the
            // maintenance timer (or catches up when it activates).
            LogRedeliveryFailed(logger, ex, _tenant, _shard);
            for (var i = 0; i < calls.Length; i++)
            {
                if (!calls[i].IsCompletedSuccessfully)
                {
                    var call = round[from + i];
                    if (call.Own is not null)
                    {
                        _undelivered.Add((call.Unit, call.Own.Position));
                    }

                    Undelivered(call.Children ?? []);
                }
            }
        }
    }

    /// <summary>Every share in the parts of a failed call goes up for direct redelivery.</summary>
    private void Undelivered(RoundNode[] parts)
    {
        foreach (var part in parts)
        {
            if (part.Own is not null)
            {
                _undelivered.Add((part.Unit, part.Own.Position));
            }

            Undelivered(part.Children);
        }
    }

    /// <summary>
    /// Takes every entry not yet sent and folds them into one delivery per unit, each covering the
    /// run of this round's entries that touch the unit, and sends them down the tree: the ledger
    /// calls the top (the root), each unit hands its children's parts on and takes each child's
    /// report from its answer, and answers its own parent with its report once its children have
    /// (one call per unit on the way, instead of the ledger's call to each unit and a report call
    /// from each unit that changed). When the root's call returns, the round has reached it.
    /// </summary>
    private List<RoundCall> Round()
    {
        var owed = Shares(_unsent);
        _unsent.Clear();
        var units = new List<string>(owed.Count);
        var deliveries = new List<UnitDeliveries>(owed.Count);
        foreach (var (unit, share) in owed)
        {
            // A unit that caught up on all of it by itself meanwhile has confirmed it away.
            if (_pendingByUnit.TryGetValue(unit, out var positions) && positions.Count > 0 && positions.Last >= share.First)
            {
                units.Add(unit);
                deliveries.Add(share.ToDeliveries(_shard, positions.Before(share.First)));
            }
        }

        // The round goes down the tree: each unit with a share, and every ancestor of one, gets
        // one call from its parent with its own share (if any) and its children's parts, and
        // answers with its report; the ledger calls the tops. A unit missing from the tree (or an
        // unknown parent) is a top of its own. The tree is only a route: a unit handed its share
        // through a unit that is no longer its parent still counts it and reports the usual way.
        var parts = new Dictionary<string, Part>(units.Count, StringComparer.Ordinal);
        for (var i = 0; i < units.Count; i++)
        {
            PartOf(parts, units[i]).Own = deliveries[i];
        }

        var tops = new List<Part>();
        foreach (var unit in units)
        {
            var part = parts[unit];
            for (var climbed = 0; !part.Placed; climbed++)
            {
                part.Placed = true;
                if (!_parentOf.TryGetValue(part.Unit, out var parent) || climbed > _parentOf.Count)
                {
                    tops.Add(part);
                    break;
                }

                var above = PartOf(parts, parent);
                above.Children.Add(part);
                part = above;
            }
        }

        var calls = new List<RoundCall>(tops.Count);
        foreach (var top in tops)
        {
            calls.Add(new RoundCall(top.Unit, top.Own, top.Children.Count == 0 ? null : top.ChildNodes()));
        }

        return calls;

        static Part PartOf(Dictionary<string, Part> parts, string unit)
        {
            ref var part = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(parts, unit, out _);
            return part ??= new Part(unit);
        }
    }

    /// <summary>What each unit is owed from a run of consecutive entries.</summary>
    private static Dictionary<string, Share> Shares(IEnumerable<LogEntry> entries)
    {
        var owed = new Dictionary<string, Share>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            foreach (var e in entry.Events)
            {
                foreach (var target in e.Targets)
                {
                    Share.Of(owed, target, entry).AddReceived(e);
                }

                Share.Of(owed, e.Source, entry).AddIssued(e);
            }
        }

        return owed;
    }

    /// <summary>Every entry through <paramref name="position"/> is handed out: answers who waited for it.</summary>
    private void DeliveredThrough(long position)
    {
        // Positions are consecutive, so this visits the entries the round handed out (those
        // pending from before the first round after a replay start at the first pending one).
        if (position > _deliveredThrough && _pending.Count > 0)
        {
            var now = clock.GetUtcNow();
            for (var p = Math.Max(_deliveredThrough + 1, _pending.Keys.First()); p <= position; p++)
            {
                if (_pending.TryGetValue(p, out var handed))
                {
                    handed.HandedOut ??= now;
                }
            }
        }

        _deliveredThrough = Math.Max(_deliveredThrough, position);
        while (_undeliveredEntries.TryPeek(out var entry) && entry.Position <= _deliveredThrough)
        {
            _deliveredEvents = _undeliveredEntries.Dequeue().Events;
        }

        for (var i = _waiters.Count - 1; i >= 0; i--)
        {
            if (_waiters[i].Events <= _deliveredEvents)
            {
                _ownWaiters -= _waiters[i].Own ? 1 : 0;
                _waiters[i].Done.TrySetResult();
                _waiters.RemoveAt(i);
            }
        }
    }

    /// <summary>
    /// Waits, for at most <see cref="GatherWindow"/> after the last round ended, until as many
    /// callers wait for their own batch as that round answered or left waiting. A caller that
    /// waits for its batch to be counted sends its next one when answered: without this, the
    /// round after a round starts with only the batches that arrived while it ran, and the
    /// callers it answered come back a few milliseconds later to wait a whole round more. The
    /// clients then split into two groups taking turns (eight clients on shape M: 4.5 batches a
    /// round), and a unit touched by both groups is called twice for what one call could carry.
    /// Batches posted without waiting (a backfill) are not waited for.
    /// </summary>
    private async Task GatherAsync()
    {
        var left = TimeSpan.FromTicks(_lastRoundEnd + GatherWindow.Ticks - clock.GetUtcNow().UtcTicks);
        if (_ownWaiters >= _gatherFor || left <= TimeSpan.Zero)
        {
            return;
        }

        _gathered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            await _gathered.Task.WaitAsync(left, clock).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        }
        finally
        {
            _gathered = null;
        }
    }

    private IUnitGrain Unit(string unit)
    {
        if (!_units.TryGetValue(unit, out var reference))
        {
            _units[unit] = reference = grains.Reference<IUnitGrain>(GrainKeys.Unit(_tenant, unit));
        }

        return reference;
    }

    private async Task MaintainAsync(CancellationToken cancellationToken)
    {
        if (_pumping.IsCompleted && _ungoverned.Count > 0)
        {
            await GovernAsync([.. _ungoverned.Values]);
        }

        // A unit that still owes a confirmation long after it should have checkpointed may have
        // died holding it: hand it its last pending entry again (it catches up on the earlier ones).
        // The time runs from the round that handed the entry out, not from its logging: an entry
        // still queued for a round is owed by the pump, not by its units. (Counted from logging,
        // a backfill on shape L, whose rounds run well behind its answers while they wake units,
        // redelivered to 40,000 units one call each what the next rounds carried anyway.)
        var stale = clock.GetUtcNow() - RedeliverAfter;
        if (_pending.Count > 0 && _pending.Values.First().HandedOut < stale)
        {
            foreach (var (unit, positions) in _pendingByUnit)
            {
                if (positions.Count > 0 && _pending[positions[0]].HandedOut < stale)
                {
                    _undelivered.Add((unit, positions.Last));
                }
            }
        }

        // Redeliveries go out together, at most a round's part per tick: this timer holds the
        // ledger's turn, so one call at a time to thousands of waking units (a new tenant on a
        // large tree) would keep ingest waiting past the callers' timeout. What is sent leaves
        // the list; a failed send puts it back.
        var redeliveries = new List<RoundCall>();
        foreach (var (unit, position) in _undelivered.ToArray())
        {
            if (!_pending.TryGetValue(position, out var pending) || !_pendingByUnit.TryGetValue(unit, out var positions) || !positions.Contains(position))
            {
                _undelivered.Remove((unit, position));
            }
            else if (redeliveries.Count < MaxCallsInFlight)
            {
                redeliveries.Add(new RoundCall(unit, pending.ShareOf(unit, _shard, log) with { Previous = positions.Before(position) }, null));
                _undelivered.Remove((unit, position));
            }
        }

        await SendAsync(redeliveries, 0, redeliveries.Count);

        var watermark = _pending.Count > 0 ? _pending.Keys.First() - 1 : _position;
        if (_ungoverned.Count > 0)
        {
            watermark = Math.Min(watermark, _ungoverned.Keys.First() - 1);
        }
        if (watermark > state.State.Watermark)
        {
            state.State.Watermark = watermark;
            await state.WriteStateAsync(cancellationToken);
        }

        await ForgetExpiredAsync(watermark);
        await DropReminderIfIdleAsync(lookUp: false);
    }

    private async Task ForgetExpiredAsync(long watermark)
    {
        var cutoff = Today() - RetentionDays;
        var through = -1L;
        while (_entryDays.Count > 0 && _entryDays[0].Day < cutoff && _entryDays[0].Position <= watermark)
        {
            through = _entryDays[0].Position;
            _entryDays.RemoveAt(0);
        }

        if (through < 0)
        {
            return;
        }

        _seen.RemoveBefore(cutoff);

        await log.TrimAsync(_tenant, _shard, through);
    }

    private int Today() => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime).DayNumber;

    /// <summary>A batch's new events (and their id hashes), waiting for the log write that makes them durable.</summary>
    private sealed record Batch(LoggedEvent[] Events, UInt128[] Hashes, AlertSettings Settings, int Day);

    /// <summary>What one unit is owed from a run of consecutive entries, while it is being gathered.</summary>
    private sealed class Share(long first)
    {
        private readonly CellDeltaBuilder _own = new();
        private List<IssuedEvent>? _issued;
        private List<DataRequest>? _requests;

        public long First { get; } = first;

        public long Last { get; private set; } = first;

        public AlertSettings? Settings { get; private set; }

        public static Share Of(Dictionary<string, Share> owed, string unit, LogEntry entry)
        {
            if (!owed.TryGetValue(unit, out var share))
            {
                owed[unit] = share = new Share(entry.Position);
            }

            share.Last = entry.Position;
            share.Settings = entry.Settings;
            return share;
        }

        /// <summary>The unit is a target: one received of the kind, plus minutes or days, plus the data items asked of it.</summary>
        public void AddReceived(LoggedEvent e)
        {
            EventRules.CountReceived(_own, e.Kind, e.Day, e.MeetingMinutes, e.InspectionDays);
            if (e.Kind == EventKind.DataRequest)
            {
                for (var i = 0; i < e.DataItems.Length; i++)
                {
                    if (Array.IndexOf(e.DataItems, e.DataItems[i], 0, i) < 0)
                    {
                        (_requests ??= []).Add(new DataRequest(e.Id, e.Source, e.DataItems[i], e.Day, e.OccurredAt.UtcTicks));
                    }
                }
            }
        }

        /// <summary>The unit is the source: one issued of the kind (quotas look at these).</summary>
        public void AddIssued(LoggedEvent e)
        {
            EventRules.CountIssued(_own, e.Kind, e.Day);
            (_issued ??= []).Add(new IssuedEvent(e.Id, e.Kind, e.Day, e.Targets));
        }

        /// <summary>The delivery; call once (the counters are handed over, not copied).</summary>
        public UnitDeliveries ToDeliveries(int shard, long previous) => new(shard, Last, _own.Build(), previous)
        {
            First = First,
            Issued = _issued is null ? [] : [.. _issued],
            Requests = _requests is null ? [] : [.. _requests],
            Settings = Settings,
        };
    }

    /// <summary>
    /// One call of a round: to <paramref name="Unit"/> with its own share (<paramref name="Own"/>,
    /// if any), and, when <paramref name="Children"/> is set, its children's shares to hand on.
    /// </summary>
    private sealed record RoundCall(string Unit, UnitDeliveries? Own, RoundNode[]? Children);

    /// <summary>A unit's part of a round while it is built.</summary>
    private sealed class Part(string unit)
    {
        public string Unit => unit;

        public UnitDeliveries? Own { get; set; }

        public List<Part> Children { get; } = [];

        /// <summary>Linked to its parent's part, or listed as a top.</summary>
        public bool Placed { get; set; }

        public RoundNode ToNode() => new(unit, Own, ChildNodes());

        public RoundNode[] ChildNodes()
        {
            if (Children.Count == 0)
            {
                return [];
            }

            var nodes = new RoundNode[Children.Count];
            for (var i = 0; i < nodes.Length; i++)
            {
                nodes[i] = Children[i].ToNode();
            }

            return nodes;
        }
    }

    /// <summary>An entry some unit has not yet confirmed durable, in the binary form the log keeps.</summary>
    private sealed class Pending(byte[] entry)
    {
        private Dictionary<string, UnitDeliveries>? _split;

        /// <summary>When a round (or the pump's end) handed it to its units; null while it waits for one.</summary>
        public DateTimeOffset? HandedOut { get; set; }

        /// <summary>Units that have not confirmed it.</summary>
        public int Remaining { get; set; }

        /// <summary>
        /// One unit's share of this entry alone. Split on first need: only catch-ups and
        /// redeliveries ask, so most entries are never split.
        /// </summary>
        public UnitDeliveries ShareOf(string unit, int shard, LedgerLog log)
        {
            if (_split is null)
            {
                _split = new Dictionary<string, UnitDeliveries>(StringComparer.Ordinal);
                foreach (var (id, share) in Shares([log.Decode(entry)]))
                {
                    _split[id] = share.ToDeliveries(shard, -1);
                }
            }

            return _split[unit];
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Ledger {Tenant}/{Shard} replays {Entries} log entries not yet durable in every unit")]
    private static partial void LogReplaying(ILogger logger, string tenant, int shard, int entries);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ledger {Tenant}/{Shard} could not read the tenant's tree; rounds go by the last one read")]
    private static partial void LogTreeUnavailable(ILogger logger, Exception ex, string tenant, int shard);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ledger {Tenant}/{Shard} could not read or update its replay reminder; it is tried again at the next batch or tick")]
    private static partial void LogReminderFailed(ILogger logger, Exception ex, string tenant, int shard);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ledger {Tenant}/{Shard} could not redeliver an entry; will retry")]
    private static partial void LogRedeliveryFailed(ILogger logger, Exception ex, string tenant, int shard);
}
