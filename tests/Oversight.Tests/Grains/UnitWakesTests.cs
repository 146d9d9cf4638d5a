using Oversight.Grains.Units;

namespace Oversight.Tests.Grains;

public sealed class UnitWakesTests
{
    [Fact]
    public async Task SlotsBoundTheWakesInFlightAndPassToWaitersInOrder()
    {
        var wakes = new UnitWakes();
        var entered = Enumerable.Range(0, UnitWakes.Slots).Select(_ => wakes.EnterAsync()).ToArray();
        Assert.All(entered, e => Assert.True(e.IsCompletedSuccessfully));
        Assert.Equal(0, wakes.Free);

        var next = wakes.EnterAsync();
        var after = wakes.EnterAsync();
        Assert.False(next.IsCompleted);
        Assert.False(after.IsCompleted);

        wakes.Exit();
        await next.WaitAsync(TimeSpan.FromMinutes(1));
        Assert.False(after.IsCompleted);

        wakes.Exit();
        await after.WaitAsync(TimeSpan.FromMinutes(1));
        for (var i = 0; i < UnitWakes.Slots; i++)
        {
            wakes.Exit();
        }

        Assert.Equal(UnitWakes.Slots, wakes.Free);
        Assert.Throws<SemaphoreFullException>(wakes.Exit);
    }
}
