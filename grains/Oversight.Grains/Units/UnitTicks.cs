using Microsoft.Extensions.Logging;

namespace Oversight.Grains.Units;

/// <summary>
/// The checkpoint ticks of a silo's units, driven by one timer per silo (a wheel of
/// <see cref="Resolution"/> slots) that calls each due unit's <see cref="IUnitGrain.Tick"/>,
/// instead of one Orleans grain timer per unit. A grain timer is a .NET timer, and .NET's timer
/// queue walks all its timers three times a second to find the ones due soon: with a tree of
/// 100,000 units ticking, <c>TimerQueue.FireNextTimers</c> was 10% of the process's CPU in a
/// <c>perf</c> sample of shape L. As with a grain timer, a unit's ticks never overlap: the next
/// one is due a period after the last one ends, and a tick is an ordinary turn of the unit.
/// </summary>
public sealed partial class UnitTicks : IDisposable
{
    /// <summary>How finely ticks are kept apart (a tick comes up to this late).</summary>
    public static readonly TimeSpan Resolution = TimeSpan.FromMilliseconds(100);

    private const long ResolutionMs = 100;
    private readonly Lock _gate = new();
    private readonly Dictionary<long, List<Ticker>> _due = [];
    private readonly Timer _timer;
    private readonly ILogger<UnitTicks> _logger;
    private long _fired;
    private bool _running;

    public UnitTicks(ILogger<UnitTicks> logger)
    {
        _logger = logger;
        _timer = new Timer(_ => Fire(), null, Timeout.Infinite, Timeout.Infinite);
        _fired = Environment.TickCount64 / ResolutionMs;
    }

    /// <summary>
    /// Calls <paramref name="tick"/> (for a unit: its <see cref="IUnitGrain.Tick"/>, through its
    /// grain reference) first after <paramref name="first"/>, then <paramref name="period"/> after
    /// each tick ends.
    /// </summary>
    public Ticker Start(string name, Func<Task> tick, TimeSpan first, TimeSpan period)
    {
        var ticker = new Ticker(this, name, tick, period);
        lock (_gate)
        {
            Schedule(ticker, first);
        }

        return ticker;
    }

    private void Schedule(Ticker ticker, TimeSpan after)
    {
        var now = Environment.TickCount64;
        if (!_running)
        {
            // Nothing is due: the slots since the timer stopped need no visit.
            _fired = Math.Max(_fired, now / ResolutionMs);
            _running = true;
            _timer.Change(ResolutionMs, ResolutionMs);
        }

        ticker.Slot = Math.Max(_fired + 1, (now + (long)after.TotalMilliseconds + ResolutionMs - 1) / ResolutionMs);
        if (!_due.TryGetValue(ticker.Slot, out var slot))
        {
            _due[ticker.Slot] = slot = [];
        }

        slot.Add(ticker);
    }

    private void Fire()
    {
        var now = Environment.TickCount64 / ResolutionMs;
        List<Ticker>? ticking = null;
        lock (_gate)
        {
            for (; _fired < now; _fired++)
            {
                if (!_due.Remove(_fired + 1, out var slot))
                {
                    continue;
                }

                foreach (var ticker in slot)
                {
                    // Rested, stopped or moved since: the entry is left behind rather than searched for.
                    if (ticker.Slot == _fired + 1 && !ticker.Resting && !ticker.Stopped)
                    {
                        ticker.Slot = -1;
                        ticker.Ticking = true;
                        (ticking ??= []).Add(ticker);
                    }
                }
            }

            if (_due.Count == 0 && _running)
            {
                _running = false;
                _timer.Change(Timeout.Infinite, Timeout.Infinite);
            }
        }

        foreach (var ticker in ticking ?? [])
        {
            _ = TickAsync(ticker);
        }
    }

    private async Task TickAsync(Ticker ticker)
    {
        try
        {
            await ticker.Tick().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogTickFailed(_logger, ex, ticker.Name);
        }
        finally
        {
            lock (_gate)
            {
                ticker.Ticking = false;
                if (!ticker.Resting && !ticker.Stopped)
                {
                    Schedule(ticker, ticker.Period);
                }
            }
        }
    }

    public void Dispose() => _timer.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Name} failed a checkpoint tick; it ticks again after its period")]
    private static partial void LogTickFailed(ILogger logger, Exception ex, string name);

    /// <summary>One unit's ticks.</summary>
    public sealed class Ticker(UnitTicks wheel, string name, Func<Task> tick, TimeSpan period)
    {
        internal string Name { get; } = name;

        internal Func<Task> Tick { get; } = tick;

        internal TimeSpan Period { get; } = period;

        /// <summary>The slot the next tick is due in; -1 while none is.</summary>
        internal long Slot { get; set; } = -1;

        internal bool Ticking { get; set; }

        internal bool Resting { get; private set; }

        internal bool Stopped { get; private set; }

        /// <summary>No ticks until <see cref="Resume"/> (a tick in progress ends normally).</summary>
        public void Rest()
        {
            lock (wheel._gate)
            {
                Resting = true;
                Slot = -1;
            }
        }

        /// <summary>Ticks again, the next a period from now, if it rested.</summary>
        public void Resume()
        {
            lock (wheel._gate)
            {
                if (!Resting || Stopped)
                {
                    return;
                }

                Resting = false;
                if (!Ticking && Slot < 0)
                {
                    wheel.Schedule(this, Period);
                }
            }
        }

        /// <summary>No more ticks (the unit deactivates).</summary>
        public void Stop()
        {
            lock (wheel._gate)
            {
                Stopped = true;
                Slot = -1;
            }
        }
    }
}
