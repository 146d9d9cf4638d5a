using System.IO.Hashing;
using System.Text;
using Microsoft.Extensions.Logging;
using Orleans.Serialization;
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
/// </summary>
public sealed partial class EventLedgerGrain(
    [PersistentState("ledger", StorageNames.Store)] IPersistentState<EventLedgerState> state,
    IEventLog log,
    Serializer<LogEntry> serializer,
    IGrainFactory grains,
    TimeProvider clock,
    ILogger<EventLedgerGrain> logger) : Grain, IEventLedgerGrain
{
    /// <summary>How long an id is remembered; the contract asks for at least 400 days.</summary>
    public const int RetentionDays = 410;

    private static readonly TimeSpan MaintenanceInterval = TimeSpan.FromSeconds(5);

    /// <summary>
    /// An entry a unit has not confirmed after this long is delivered to it again: a unit that
    /// died before checkpointing is activated by that call and catches up.
    /// </summary>
    private static readonly TimeSpan RedeliverAfter = TimeSpan.FromSeconds(20);

    /// <summary>
    /// The shortest time between two delivery rounds: under load a round carries every batch
    /// logged during this window to each unit in one call; when idle a batch goes out at once.
    /// </summary>
    private static readonly TimeSpan MinRoundInterval = TimeSpan.FromMilliseconds(50);

    private readonly Dictionary<UInt128, int> _seen = [];
    private readonly SortedDictionary<long, Pending> _pending = [];
    private readonly Dictionary<string, PendingPositions> _pendingByUnit = new(StringComparer.Ordinal);
    private readonly List<(long Position, int Day)> _entryDays = [];
    private readonly HashSet<(string Unit, long Position)> _undelivered = [];
    private readonly SortedDictionary<long, LogEntry> _ungoverned = [];
    private readonly Dictionary<string, long> _outbox = new(StringComparer.Ordinal);
    private readonly List<(long Through, TaskCompletionSource Done)> _waiters = [];
    private readonly Dictionary<string, IUnitGrain> _units = new(StringComparer.Ordinal);
    private Task _pumping = Task.CompletedTask;
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
        _position = state.State.Watermark;
        await foreach (var bytes in log.ReadAllAsync(_tenant, _shard).WithCancellation(cancellationToken))
        {
            var entry = serializer.Deserialize(bytes)!;
            _position = Math.Max(_position, entry.Position);
            _entryDays.Add((entry.Position, entry.AcceptedDay));
            foreach (var e in entry.Events)
            {
                _seen[Hash(e.Id)] = entry.AcceptedDay;
            }

            if (entry.Position > state.State.Watermark)
            {
                AddPending(entry);
                _ungoverned[entry.Position] = entry;
            }
        }

        this.RegisterGrainTimer(MaintainAsync, new GrainTimerCreationOptions(MaintenanceInterval, MaintenanceInterval) { Interleave = false });
        if (_outbox.Count > 0)
        {
            LogReplaying(logger, _tenant, _shard, _pending.Count);
            StartPump();
        }
    }

    public async Task<bool[]> Ingest(LoggedEvent[] events, AlertSettings settings)
    {
        var fresh = new bool[events.Length];
        var accepted = new List<LoggedEvent>(events.Length);
        var hashes = new List<UInt128>(events.Length);
        var today = Today();
        for (var i = 0; i < events.Length; i++)
        {
            var hash = Hash(events[i].Id);
            if (_seen.TryAdd(hash, today))
            {
                fresh[i] = true;
                accepted.Add(events[i]);
                hashes.Add(hash);
            }
        }

        if (accepted.Count == 0)
        {
            return fresh;
        }

        var entry = new LogEntry(_position + 1, today, [.. accepted], settings);
        try
        {
            await log.AppendAsync(_tenant, _shard, entry.Position, serializer.SerializeToArray(entry));
        }
        catch
        {
            // Whether the write landed is unknown: forget this activation's view and rebuild it
            // from the log on the next call, so a retry finds the truth.
            foreach (var hash in hashes)
            {
                _seen.Remove(hash);
            }

            DeactivateOnIdle();
            throw;
        }

        _position = entry.Position;
        _entryDays.Add((entry.Position, today));
        AddPending(entry);
        _ungoverned[entry.Position] = entry;
        StartPump();
        return fresh;
    }

    public Task Delivered()
    {
        if (_deliveredThrough >= _position)
        {
            return Task.CompletedTask;
        }

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiters.Add((_position, done));
        StartPump();
        return done.Task;
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
            missed[i] = _pending[positions[from + i]].Units[unit];
        }

        return Task.FromResult(missed);
    }

    public Task Confirm(string unit, long position)
    {
        if (_pendingByUnit.TryGetValue(unit, out var positions))
        {
            foreach (var p in positions.RemoveThrough(position))
            {
                _undelivered.Remove((unit, p));
                var pending = _pending[p];
                pending.Units.Remove(unit);
                if (pending.Units.Count == 0)
                {
                    _pending.Remove(p);
                }
            }

            if (positions.Count == 0)
            {
                _pendingByUnit.Remove(unit);
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>Splits an entry into what each unit it touches is owed, and queues those for delivery.</summary>
    private void AddPending(LogEntry entry)
    {
        var byUnit = new Dictionary<string, Owed>(StringComparer.Ordinal);
        Owed OwedTo(string unit)
        {
            if (!byUnit.TryGetValue(unit, out var owed))
            {
                byUnit[unit] = owed = new Owed();
            }

            return owed;
        }

        foreach (var e in entry.Events)
        {
            foreach (var target in e.Targets)
            {
                var owed = OwedTo(target);
                owed.Own.Add(e.Day, LoadCounters.Received(e.Kind), 1);
                if (e.MeetingMinutes > 0)
                {
                    owed.Own.Add(e.Day, LoadCounters.MeetingMinutes, e.MeetingMinutes);
                }

                if (e.InspectionDays > 0)
                {
                    owed.Own.Add(e.Day, LoadCounters.InspectionDays, e.InspectionDays);
                }

                if (e.Kind == EventKind.DataRequest)
                {
                    for (var i = 0; i < e.DataItems.Length; i++)
                    {
                        if (Array.IndexOf(e.DataItems, e.DataItems[i], 0, i) < 0)
                        {
                            (owed.Requests ??= []).Add(new DataRequest(e.Id, e.Source, e.DataItems[i], e.Day, e.OccurredAt.UtcTicks));
                        }
                    }
                }
            }

            var source = OwedTo(e.Source);
            source.Own.Add(e.Day, LoadCounters.Issued(e.Kind), 1);
            (source.Issued ??= []).Add(new IssuedEvent(e.Id, e.Kind, e.Day, e.Targets));
        }

        var units = new Dictionary<string, UnitDeliveries>(byUnit.Count, StringComparer.Ordinal);
        foreach (var (unit, owed) in byUnit)
        {
            units[unit] = new UnitDeliveries(_shard, entry.Position, owed.Own.Build(), -1)
            {
                First = entry.Position,
                Issued = owed.Issued is null ? [] : [.. owed.Issued],
                Requests = owed.Requests is null ? [] : [.. owed.Requests],
                Settings = entry.Settings,
            };
            if (!_pendingByUnit.TryGetValue(unit, out var positions))
            {
                _pendingByUnit[unit] = positions = new PendingPositions();
            }

            positions.Add(entry.Position);
            _outbox.TryAdd(unit, entry.Position);
        }

        _pending[entry.Position] = new Pending(entry, units, clock.GetUtcNow());
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
                var alerts = entry.Events.SelectMany(e => EventAlerts.For(e, entry.Settings, clock.GetUtcNow())).ToArray();
                if (alerts.Length > 0)
                {
                    await grains.GetGrain<IAlertsGrain>(_tenant).Raise(alerts);
                }

                await grains.GetGrain<ICascadeGrain>(_tenant).Record(entry.Events, entry.Settings);
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
        if (_pumping.IsCompleted && (_outbox.Count > 0 || _waiters.Count > 0))
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
            while (_outbox.Count > 0)
            {
                var wait = TimeSpan.FromTicks(_lastRound + MinRoundInterval.Ticks - clock.GetUtcNow().UtcTicks);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, clock);
                }

                _lastRound = clock.GetUtcNow().UtcTicks;
                var through = _position;
                var round = new List<UnitDeliveries>(_outbox.Count);
                var targets = new List<string>(_outbox.Count);
                foreach (var (unit, first) in _outbox)
                {
                    if (Merge(unit, first) is { } deliveries)
                    {
                        round.Add(deliveries);
                        targets.Add(unit);
                    }
                }

                _outbox.Clear();
                var governing = _ungoverned.Count > 0 ? GovernAsync([.. _ungoverned.Values]) : Task.CompletedTask;
                var calls = new Task[round.Count];
                for (var i = 0; i < calls.Length; i++)
                {
                    calls[i] = Unit(targets[i]).Apply(round[i]);
                }

                try
                {
                    await Task.WhenAll(calls);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The entries are durable; a unit that missed its share gets it again from
                    // the maintenance timer (or catches up when it activates).
                    LogRedeliveryFailed(logger, ex, _tenant, _shard);
                    for (var i = 0; i < calls.Length; i++)
                    {
                        if (!calls[i].IsCompletedSuccessfully)
                        {
                            _undelivered.Add((targets[i], round[i].Position));
                        }
                    }
                }

                await governing;
                _deliveredThrough = Math.Max(_deliveredThrough, through);
                ReleaseWaiters();
            }
        }
        finally
        {
            // Normally the outbox is empty here; if the pump was stopped, what is left goes to
            // the maintenance timer, so no caller waits on a pump that is gone.
            foreach (var unit in _outbox.Keys)
            {
                if (_pendingByUnit.TryGetValue(unit, out var positions) && positions.Count > 0)
                {
                    _undelivered.Add((unit, positions.Last));
                }
            }

            _outbox.Clear();
            _deliveredThrough = _position;
            ReleaseWaiters();
        }
    }

    /// <summary>
    /// Everything pending for a unit from <paramref name="first"/> on, as one delivery; null when
    /// the unit has confirmed it all meanwhile (it caught up by itself).
    /// </summary>
    private UnitDeliveries? Merge(string unit, long first)
    {
        if (!_pendingByUnit.TryGetValue(unit, out var positions))
        {
            return null;
        }

        var from = positions.IndexAfter(first - 1);
        if (from == positions.Count)
        {
            return null;
        }

        var previous = from > 0 ? positions[from - 1] : -1;
        if (from == positions.Count - 1)
        {
            return _pending[positions[from]].Units[unit] with { Previous = previous };
        }

        var own = new DayDeltaBuilder();
        var issued = new List<IssuedEvent>();
        var requests = new List<DataRequest>();
        AlertSettings? settings = null;
        for (var i = from; i < positions.Count; i++)
        {
            var part = _pending[positions[i]].Units[unit];
            own.Add(part.Own);
            issued.AddRange(part.Issued);
            requests.AddRange(part.Requests);
            settings = part.Settings ?? settings;
        }

        return new UnitDeliveries(_shard, positions.Last, own.Build(), previous)
        {
            First = positions[from],
            Issued = [.. issued],
            Requests = [.. requests],
            Settings = settings,
        };
    }

    private void ReleaseWaiters()
    {
        for (var i = _waiters.Count - 1; i >= 0; i--)
        {
            if (_waiters[i].Through <= _deliveredThrough)
            {
                _waiters[i].Done.TrySetResult();
                _waiters.RemoveAt(i);
            }
        }
    }

    private IUnitGrain Unit(string unit)
    {
        if (!_units.TryGetValue(unit, out var reference))
        {
            _units[unit] = reference = grains.GetGrain<IUnitGrain>(GrainKeys.Unit(_tenant, unit));
        }

        return reference;
    }

    private async Task MaintainAsync(CancellationToken cancellationToken)
    {
        if (_pumping.IsCompleted && _ungoverned.Count > 0)
        {
            await GovernAsync([.. _ungoverned.Values]);
        }

        var stale = clock.GetUtcNow() - RedeliverAfter;
        foreach (var pending in _pending.Values.TakeWhile(p => p.Logged < stale))
        {
            foreach (var unit in pending.Units.Keys)
            {
                _undelivered.Add((unit, pending.Position));
            }
        }

        foreach (var (unit, position) in _undelivered.ToArray())
        {
            if (_pending.TryGetValue(position, out var pending) && pending.Units.TryGetValue(unit, out var own))
            {
                try
                {
                    await Unit(unit).Apply(own with { Previous = Previous(unit, position) });
                    _undelivered.Remove((unit, position));
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogRedeliveryFailed(logger, ex, _tenant, _shard);
                    break;
                }
            }
            else
            {
                _undelivered.Remove((unit, position));
            }
        }

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

        foreach (var (hash, day) in _seen)
        {
            if (day < cutoff)
            {
                _seen.Remove(hash);
            }
        }

        await log.TrimAsync(_tenant, _shard, through);
    }

    private long Previous(string unit, long position) =>
        _pendingByUnit.TryGetValue(unit, out var positions) ? positions.Before(position) : -1;

    private int Today() => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime).DayNumber;

    private static UInt128 Hash(string id)
    {
        Span<byte> utf8 = stackalloc byte[512];
        var length = Encoding.UTF8.GetBytes(id, utf8);
        return XxHash128.HashToUInt128(utf8[..length]);
    }

    /// <summary>What one unit is owed from one entry, while it is being split.</summary>
    private sealed class Owed
    {
        public DayDeltaBuilder Own { get; } = new();

        public List<IssuedEvent>? Issued { get; set; }

        public List<DataRequest>? Requests { get; set; }
    }

    private sealed record Pending(LogEntry Entry, Dictionary<string, UnitDeliveries> Units, DateTimeOffset Logged)
    {
        public long Position => Entry.Position;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Ledger {Tenant}/{Shard} replays {Entries} log entries not yet durable in every unit")]
    private static partial void LogReplaying(ILogger logger, string tenant, int shard, int entries);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ledger {Tenant}/{Shard} could not redeliver an entry; will retry")]
    private static partial void LogRedeliveryFailed(ILogger logger, Exception ex, string tenant, int shard);
}
