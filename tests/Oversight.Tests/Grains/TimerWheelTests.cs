using Microsoft.Extensions.Logging.Abstractions;
using Oversight.Grains.Hosting;

namespace Oversight.Tests.Grains;

public sealed class TimerWheelTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(1);

    /// <summary>Counts firings; each awaited count completes when reached.</summary>
    private sealed class Counter
    {
        private readonly Lock _gate = new();
        private readonly List<(int Count, TaskCompletionSource Reached)> _waits = [];

        public int Count { get; private set; }

        public bool Fail { get; set; }

        public void Fire(object? state)
        {
            lock (_gate)
            {
                Count++;
                foreach (var wait in _waits.Where(w => w.Count <= Count).ToList())
                {
                    wait.Reached.TrySetResult();
                    _waits.Remove(wait);
                }
            }

            if (Fail)
            {
                throw new InvalidOperationException("callback failed");
            }
        }

        public Task Reached(int count)
        {
            lock (_gate)
            {
                var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                if (Count >= count)
                {
                    reached.SetResult();
                }
                else
                {
                    _waits.Add((count, reached));
                }

                return reached.Task.WaitAsync(Patience);
            }
        }
    }

    /// <summary>The system clock, counting the timers it was asked for.</summary>
    private sealed class CountingClock : TimeProvider
    {
        public static readonly DateTimeOffset Now = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);

        public int TimersCreated { get; private set; }

        public override DateTimeOffset GetUtcNow() => Now;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            TimersCreated++;
            return base.CreateTimer(callback, state, dueTime, period);
        }
    }

    [Fact]
    public async Task TimersFireOnceOrByTheirPeriodUntilStoppedOrDisposedAndAFailedCallbackEndsNothing()
    {
        using var wheel = new TimerWheel(NullLogger<TimerWheel>.Instance);
        var (once, repeating, failing, marker) = (new Counter(), new Counter(), new Counter { Fail = true }, new Counter());
        var period = TimerWheel.Resolution;
        var onceTimer = wheel.CreateTimer(once.Fire, null);
        var repeatingTimer = wheel.CreateTimer(repeating.Fire, null);
        var failingTimer = wheel.CreateTimer(failing.Fire, null);
        Assert.True(onceTimer.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan));
        repeatingTimer.Change(TimeSpan.Zero, period);
        failingTimer.Change(period, period);
        await Task.WhenAll(once.Reached(1), repeating.Reached(3), failing.Reached(3));

        // A stopped timer and a disposed one fire no more while another fires three more times
        // (counted from its first firing: one already under way when they stopped has been counted
        // by then, as the wheel fires a slot's timers in turn). The one-shot timer fired once.
        repeatingTimer.Change(Timeout.InfiniteTimeSpan, period);
        failingTimer.Dispose();
        var markerTimer = wheel.CreateTimer(marker.Fire, null);
        markerTimer.Change(TimeSpan.Zero, period);
        await marker.Reached(1);
        var (stoppedAt, disposedAt) = (repeating.Count, failing.Count);
        await marker.Reached(4);
        Assert.Equal(1, once.Count);
        Assert.Equal(stoppedAt, repeating.Count);
        Assert.Equal(disposedAt, failing.Count);

        // A stopped timer fires again once changed; a disposed one refuses the change.
        Assert.True(repeatingTimer.Change(TimeSpan.Zero, period));
        Assert.False(failingTimer.Change(TimeSpan.Zero, period));
        await repeating.Reached(stoppedAt + 2);
        markerTimer.Dispose();
        repeatingTimer.Dispose();
        onceTimer.Dispose();
        Assert.Equal(disposedAt, failing.Count);
        Assert.Equal(0, wheel.Waiting);
    }

    [Fact]
    public async Task TheGrainClockPutsTimersDueASecondOrMoreAheadOnTheWheelAndNearerOnesOnItsOwnClock()
    {
        using var wheel = new TimerWheel(NullLogger<TimerWheel>.Instance);
        var time = new CountingClock();
        var clock = new GrainClock(time, wheel);
        var fired = new Counter();

        // Due in ten seconds, once (as Orleans sets a grain timer): on the wheel.
        using var far = clock.CreateTimer(fired.Fire, null, TimeSpan.FromSeconds(10), Timeout.InfiniteTimeSpan);
        Assert.Equal(1, wheel.Waiting);
        Assert.Equal(0, time.TimersCreated);

        // The same timer changed to fire at once: off the wheel, on the clock's own timer.
        far.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        Assert.Equal(0, wheel.Waiting);
        Assert.Equal(1, time.TimersCreated);
        await fired.Reached(1);

        // Back on the wheel, then stopped: waiting on neither.
        far.Change(GrainClock.WheelFrom, Timeout.InfiniteTimeSpan);
        Assert.Equal(1, wheel.Waiting);
        far.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        Assert.Equal(0, wheel.Waiting);

        // Due far ahead but repeating faster than the wheel keeps: the clock's own timer.
        using var fast = clock.CreateTimer(fired.Fire, null, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(10));
        Assert.Equal(0, wheel.Waiting);
        Assert.Equal(2, time.TimersCreated);

        // Its time is the silo's clock's.
        Assert.Equal(CountingClock.Now, clock.GetUtcNow());
    }
}
