using Oversight.Grains.Units;

namespace Oversight.Tests.Grains;

public sealed class ShortWaitsTests
{
    [Fact]
    public async Task EveryWaitEndsAndTheTimerStartsAgainAfterItRested()
    {
        using var waits = new ShortWaits();
        Assert.True(waits.Delay(TimeSpan.Zero).IsCompleted);

        // Waits of 1 to 50 ms, many sharing a slot: each one ends.
        var all = Enumerable.Range(0, 500).Select(i => waits.Delay(TimeSpan.FromMilliseconds(1 + (i % 50)))).ToArray();
        await Task.WhenAll(all).WaitAsync(TimeSpan.FromMinutes(1));
        Assert.All(all, t => Assert.Equal(TaskStatus.RanToCompletion, t.Status));

        // Nothing waits now, so the timer stopped; a new wait starts it again.
        await waits.Delay(TimeSpan.FromMilliseconds(15)).WaitAsync(TimeSpan.FromMinutes(1));
        await Task.WhenAll(waits.Delay(TimeSpan.FromMilliseconds(5)), waits.Delay(TimeSpan.FromMilliseconds(25))).WaitAsync(TimeSpan.FromMinutes(1));
    }
}
