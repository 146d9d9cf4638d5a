using Microsoft.Extensions.Logging.Abstractions;
using Oversight.Grains.Units;

namespace Oversight.Tests.Grains;

public sealed class UnitTicksTests
{
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(1);

    /// <summary>Counts ticks; each awaited count completes when reached.</summary>
    private sealed class Counter
    {
        private readonly Lock _gate = new();
        private readonly List<(int Count, TaskCompletionSource Reached)> _waits = [];

        public int Count { get; private set; }

        public bool Fail { get; set; }

        public Task Tick()
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

            return Fail ? Task.FromException(new InvalidOperationException("tick failed")) : Task.CompletedTask;
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

    [Fact]
    public async Task TickersTickUntilTheyRestOrStopAndAFailedTickDoesNotEndThem()
    {
        using var wheel = new UnitTicks(NullLogger<UnitTicks>.Instance);
        var (a, b, c) = (new Counter(), new Counter { Fail = true }, new Counter());
        var tickerA = wheel.Start("a", a.Tick, TimeSpan.Zero, Period);
        var tickerB = wheel.Start("b", b.Tick, Period, Period);
        await Task.WhenAll(a.Reached(3), b.Reached(3));

        // A rested ticker and a stopped one tick no more while another ticks three more times
        // (counted from the new one's first tick: a tick already under way when they rested or
        // stopped has been counted by then, as the wheel starts each slot's ticks in turn).
        tickerA.Rest();
        tickerB.Stop();
        wheel.Start("c", c.Tick, TimeSpan.Zero, Period);
        await c.Reached(1);
        var (restedAt, stoppedAt) = (a.Count, b.Count);
        await c.Reached(4);
        Assert.Equal(restedAt, a.Count);
        Assert.Equal(stoppedAt, b.Count);

        // A rested one ticks again once resumed; resuming a stopped one does nothing.
        tickerA.Resume();
        tickerB.Resume();
        await a.Reached(restedAt + 2);
        Assert.Equal(stoppedAt, b.Count);
    }
}
