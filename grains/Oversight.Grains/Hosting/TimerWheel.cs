using Microsoft.Extensions.Logging;

namespace Oversight.Grains.Hosting;

/// <summary>
/// One timer per silo (a wheel of <see cref="Resolution"/> slots) that fires the silo's grain
/// timers due <see cref="GrainClock.WheelFrom"/> or more ahead, among them every unit's checkpoint
/// ticks. A .NET timer per grain timer would put 100,000 timers in .NET's timer queue on a tree of
/// 100,000 units, and the queue walks its timers several times a second to find the ones due soon:
/// <c>TimerQueue.FireNextTimers</c> was 10% of the process's CPU in a <c>perf</c> sample of shape
/// L with a timer per unit. Orleans creates its grain timers' .NET timers through the grains'
/// <see cref="TimeProvider"/>, which <see cref="GrainClock"/> points here.
/// </summary>
public sealed partial class TimerWheel : IDisposable
{
    /// <summary>How finely timers are kept apart (a timer fires up to this late).</summary>
    public static readonly TimeSpan Resolution = TimeSpan.FromMilliseconds(100);

    private const long ResolutionMs = 100;
    private readonly Lock _gate = new();
    private readonly Dictionary<long, List<WheelTimer>> _due = [];
    private readonly Timer _timer;
    private readonly ILogger<TimerWheel> _logger;
    private long _fired;
    private bool _running;

    public TimerWheel(ILogger<TimerWheel> logger)
    {
        _logger = logger;
        // The wheel's callbacks belong to no caller: no execution context flows into them.
        _timer = WithoutFlow(() => new Timer(_ => Fire(), null, Timeout.Infinite, Timeout.Infinite));

        _fired = Environment.TickCount64 / ResolutionMs;
    }

    /// <summary>A timer on this wheel (not started): <see cref="ITimer.Change"/> starts it.</summary>
    public ITimer CreateTimer(TimerCallback callback, object? state) => new WheelTimer(this, callback, state);

    /// <summary>Timers waiting for their slot (for tests and diagnostics).</summary>
    public int Waiting
    {
        get
        {
            lock (_gate)
            {
                // A changed timer's earlier entries stay behind in their slots: only the one in
                // the slot it is due in counts.
                return _due.SelectMany(slot => slot.Value.Where(t => t.Slot == slot.Key)).Distinct().Count();
            }
        }
    }

    private void Schedule(WheelTimer timer, TimeSpan after)
    {
        var now = Environment.TickCount64;
        if (!_running)
        {
            // Nothing is due: the slots since the timer stopped need no visit.
            _fired = Math.Max(_fired, now / ResolutionMs);
            _running = true;
            _timer.Change(ResolutionMs, ResolutionMs);
        }

        timer.Slot = Math.Max(_fired + 1, (now + (long)after.TotalMilliseconds + ResolutionMs - 1) / ResolutionMs);
        if (!_due.TryGetValue(timer.Slot, out var slot))
        {
            _due[timer.Slot] = slot = [];
        }

        slot.Add(timer);
    }

    private void Fire()
    {
        var now = Environment.TickCount64 / ResolutionMs;
        List<WheelTimer>? firing = null;
        lock (_gate)
        {
            for (; _fired < now; _fired++)
            {
                if (!_due.Remove(_fired + 1, out var slot))
                {
                    continue;
                }

                foreach (var timer in slot)
                {
                    // Changed, stopped or disposed since: the entry is left behind rather than searched for.
                    if (timer.Slot == _fired + 1)
                    {
                        timer.Slot = -1;
                        if (timer.Period is { } period)
                        {
                            Schedule(timer, period);
                        }

                        (firing ??= []).Add(timer);
                    }
                }
            }

            if (_due.Count == 0 && _running)
            {
                _running = false;
                _timer.Change(Timeout.Infinite, Timeout.Infinite);
            }
        }

        // A grain timer's callback only queues the tick as a message to its grain: the wheel's
        // thread does not wait for the tick itself.
        foreach (var timer in firing ?? [])
        {
            try
            {
                timer.Callback(timer.State);
            }
            catch (Exception ex)
            {
                LogCallbackFailed(_logger, ex);
            }
        }
    }

    public void Dispose() => _timer.Dispose();

    /// <summary>Makes a timer that captures no execution context (Orleans may have suppressed its flow already).</summary>
    internal static T WithoutFlow<T>(Func<T> make)
    {
        if (ExecutionContext.IsFlowSuppressed())
        {
            return make();
        }

        using (ExecutionContext.SuppressFlow())
        {
            return make();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A timer on the silo's wheel failed in its callback; it fires again if it has a period")]
    private static partial void LogCallbackFailed(ILogger logger, Exception ex);

    /// <summary>
    /// A timer on the wheel. Like a .NET timer, a callback may still run once just after a
    /// <see cref="Change"/> or <see cref="Dispose"/> that raced with its firing.
    /// </summary>
    private sealed class WheelTimer(TimerWheel wheel, TimerCallback callback, object? state) : ITimer
    {
        internal TimerCallback Callback => callback;

        internal object? State => state;

        /// <summary>The slot it is due in; -1 while none is.</summary>
        internal long Slot { get; set; } = -1;

        /// <summary>The time between firings, if it repeats.</summary>
        internal TimeSpan? Period { get; private set; }

        private bool _disposed;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (wheel._gate)
            {
                if (_disposed)
                {
                    return false;
                }

                Slot = -1;
                Period = period == Timeout.InfiniteTimeSpan || period == TimeSpan.Zero ? null : period;
                if (dueTime != Timeout.InfiniteTimeSpan)
                {
                    wheel.Schedule(this, dueTime);
                }

                return true;
            }
        }

        public void Dispose()
        {
            lock (wheel._gate)
            {
                _disposed = true;
                Slot = -1;
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>
/// The clock of the silo's grains (registered under Orleans' <c>TimeProviderNames.Grains</c>):
/// the silo's own clock, except that a grain timer due <see cref="WheelFrom"/> or more ahead (and
/// repeating, if at all, no more often) runs off the silo's <see cref="TimerWheel"/>, up to
/// <see cref="TimerWheel.Resolution"/> late. Orleans delivers a grain timer's tick to its
/// activation directly, as a one-way message: no addressing, no directory lookup, no answer. The
/// units' checkpoint ticks had been grain calls to themselves from the wheel, which made each tick
/// a request and a response through the silo's messaging (5.8% of the samples of an L ingest).
/// </summary>
public sealed class GrainClock(TimeProvider time, TimerWheel wheel) : TimeProvider
{
    /// <summary>The shortest due time of a timer that runs off the wheel.</summary>
    public static readonly TimeSpan WheelFrom = TimeSpan.FromSeconds(1);

    public override DateTimeOffset GetUtcNow() => time.GetUtcNow();

    public override long GetTimestamp() => time.GetTimestamp();

    public override long TimestampFrequency => time.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => time.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new SwitchingTimer(time, wheel, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>On the wheel while due far enough ahead, on the silo's clock's own timer otherwise.</summary>
    private sealed class SwitchingTimer(TimeProvider time, TimerWheel wheel, TimerCallback callback, object? state) : ITimer
    {
        private readonly Lock _gate = new();
        private ITimer? _wheel;
        private ITimer? _near;
        private bool _disposed;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (_gate)
            {
                if (_disposed)
                {
                    return false;
                }

                var far = dueTime >= WheelFrom && (period == Timeout.InfiniteTimeSpan || period == TimeSpan.Zero || period >= WheelFrom);
                // Stop the other one first, so that the timer is never on both.
                (far ? _near : _wheel)?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                if (dueTime == Timeout.InfiniteTimeSpan)
                {
                    (far ? _wheel : _near)?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                    return true;
                }

                return far
                    ? (_wheel ??= wheel.CreateTimer(callback, state)).Change(dueTime, period)
                    : (_near ??= CreateNear()).Change(dueTime, period);
            }
        }

        private ITimer CreateNear() =>
            TimerWheel.WithoutFlow(() => time.CreateTimer(callback, state, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan));

        public void Dispose()
        {
            lock (_gate)
            {
                _disposed = true;
                _wheel?.Dispose();
                _near?.Dispose();
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
