using Oversight.Domain;

namespace Oversight.Tests.Domain;

public sealed class DayCountersCodecTests
{
    private static int Day(int y, int m, int d) => new DateOnly(y, m, d).DayNumber;

    private static long[] DayOf(PeriodCounters counters, int day)
    {
        var vector = new long[LoadCounters.Width];
        counters.TryGetDay(day, vector);
        return vector;
    }

    [Fact]
    public void ADayIsItsStepItsMaskAndItsNonZeroSlots()
    {
        var counters = new PeriodCounters();
        var first = Day(2026, 3, 1);
        counters.Add(first, LoadCounters.Received(EventKind.Meeting), 2);
        counters.Add(first, LoadCounters.MeetingMinutes, 90);
        counters.Add(first + 3, LoadCounters.Received(EventKind.Document), -1);
        // A day whose counts cancelled out is left out.
        counters.Add(first + 1, LoadCounters.Received(EventKind.Inspection), 5);
        counters.Add(first + 1, LoadCounters.Received(EventKind.Inspection), -5);

        // Version 1; the first day's number as a zigzag step from 0 (739,675 * 2 = 1,479,350);
        // mask bits 1 and 12; 2 and 90 zigzagged (4, 180); then a step of 3 (6), mask bit 0, -1 (1).
        byte[] expected = [1, 0xB6, 0xA5, 0x5A, 0x82, 0x20, 4, 0xB4, 0x01, 6, 1, 1];
        Assert.Equal(739_675, first);
        Assert.Equal(expected, DayCountersCodec.Encode(counters));
    }

    [Theory]
    [InlineData(1, 3, 4)]
    [InlineData(2, 40, 4)]
    [InlineData(3, 400, 4)]
    [InlineData(4, 400, 15)]
    public void EveryDayAndSlotComesBackExactly(int seed, int days, int maxSlots)
    {
        // Up to three slots a day keeps the counters in cells; up to fourteen moves them to rows.
        var random = new Random(seed);
        var counters = new PeriodCounters();
        var start = Day(2025, 11, 1);
        for (var i = 0; i < days; i++)
        {
            var day = start + random.Next(0, 500);
            var slots = random.Next(1, maxSlots);
            for (var k = 0; k < slots; k++)
            {
                counters.Add(day, random.Next(LoadCounters.Width), random.Next(5) switch
                {
                    0 => long.MaxValue,
                    1 => long.MinValue,
                    2 => -random.Next(1, 1000),
                    _ => random.Next(1, 100_000),
                });
            }
        }

        Assert.Equal(maxSlots > 4, counters.InRows);
        var read = new PeriodCounters();
        DayCountersCodec.AddTo(DayCountersCodec.Encode(counters), read);

        var kept = counters.DayKeys.Where(d => !LoadCounters.IsZero(DayOf(counters, d))).Order().ToList();
        Assert.Equal(kept, read.DayKeys.Order());
        foreach (var day in kept)
        {
            Assert.Equal(DayOf(counters, day), DayOf(read, day));
        }

        // Read into counters that hold days already, a blob adds to them.
        DayCountersCodec.AddTo(DayCountersCodec.Encode(counters), read);
        Assert.Equal(DayOf(counters, kept[0]).Select(v => unchecked(v * 2)), DayOf(read, kept[0]));
    }

    [Fact]
    public void NothingIsAnEmptyBlobAndAnUnknownOrBrokenOneIsRefused()
    {
        var counters = new PeriodCounters();
        Assert.Empty(DayCountersCodec.Encode(counters));
        counters.Add(Day(2026, 1, 1), 0, 7);
        counters.Add(Day(2026, 1, 1), 0, -7);
        Assert.Empty(DayCountersCodec.Encode(counters));

        var read = new PeriodCounters();
        DayCountersCodec.AddTo([], read);
        Assert.Equal(0, read.DayCount);
        Assert.Throws<InvalidDataException>(() => DayCountersCodec.AddTo([2, 0, 1, 2], read));
        Assert.Throws<InvalidDataException>(() => DayCountersCodec.AddTo([1, 0x80], read));
        Assert.Throws<InvalidDataException>(() => DayCountersCodec.AddTo([1, 2, 0], read));
        Assert.Throws<InvalidDataException>(() => DayCountersCodec.AddTo([1, 2, 0x80, 0x80, 0x04, 1], read));
    }
}
