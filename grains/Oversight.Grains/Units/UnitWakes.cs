namespace Oversight.Grains.Units;

/// <summary>
/// Bounds how many units a silo's rounds wake at once. A tenant's first rounds on a large tree
/// hand on to tens of thousands of cold units together, and Orleans places each one through a
/// placement worker whose loop walks every placement in progress whenever one completes: with
/// most of a tree in progress at once, that walk was 14.6% of a cold shape-L run's samples in a
/// <c>perf</c> sample (4.6% for all of placement with the slots).
/// <para>
/// A parent takes a slot for its first hand-on to a child (in this activation of the parent)
/// when the child's part of the round hands nothing on. Such a child wakes if it must, counts and
/// answers without handing anything on, so whoever holds a slot never waits for another. Nor is
/// the child busy handing on a part of its own: a tenant's rounds go one at a time, and a unit has
/// one part in a round. Hand-ons that go on down the tree, and every later call, take no slot.
/// A call that hangs (its unit's silo died) holds its slot until Orleans fails it, at the latest
/// after the response timeout, as it held its round before.
/// </para>
/// </summary>
public sealed class UnitWakes
{
    /// <summary>
    /// Slots per silo. In alternating cold L runs (500,000 events), 256 slots read 18,070 events/s
    /// on average over seven pairs against 16,971 without a bound, at 7% less CPU per event; 512
    /// then read 20,955 against 256's 19,060. In cluster mode, where a waking unit waits for Redis,
    /// 256 slots ran slower than 1,024 (13,462 and 14,131 against 14,205 and 15,358 events/s), and
    /// 512 ran 15,789.
    /// </summary>
    public const int Slots = 512;

    private readonly SemaphoreSlim _slots = new(Slots, Slots);
    private long _entered;

    /// <summary>Slots free now.</summary>
    public int Free => _slots.CurrentCount;

    /// <summary>Slots asked for since the silo started (each is taken, at once or after a wait).</summary>
    public long Entered => Interlocked.Read(ref _entered);

    /// <summary>Waits for a slot (at once while one is free). Each entry is followed by one <see cref="Exit"/>.</summary>
    public Task EnterAsync()
    {
        Interlocked.Increment(ref _entered);
        return _slots.WaitAsync();
    }

    /// <summary>Gives a slot back, to the longest waiter if any.</summary>
    public void Exit() => _slots.Release();
}
