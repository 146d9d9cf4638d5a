using Oversight.Domain;

namespace Oversight.Tests.Domain;

public sealed class PeriodCountersTests
{
    private static int Day(int y, int m, int d) => new DateOnly(y, m, d).DayNumber;

    private static long[] Vector(int slot, long amount)
    {
        var v = new long[LoadCounters.Width];
        v[slot] = amount;
        return v;
    }

    [Fact]
    public void DaysFoldIntoTheirMonthAndYear()
    {
        var counters = new PeriodCounters();
        counters.Add(Day(2026, 1, 31), Vector(LoadCounters.Received(EventKind.Document), 2));
        counters.Add(Day(2026, 2, 1), Vector(LoadCounters.Received(EventKind.Document), 3));
        counters.Add(Day(2025, 12, 31), Vector(LoadCounters.Received(EventKind.Document), 7));

        long Received(PeriodGranularity g, int from, int to) => counters.Sum(new PeriodRange(g, from, to))[LoadCounters.Received(EventKind.Document)];
        Assert.Equal(2, Received(PeriodGranularity.Month, 2026 * 12, 2026 * 12));
        Assert.Equal(3, Received(PeriodGranularity.Month, 2026 * 12 + 1, 2026 * 12 + 1));
        Assert.Equal(5, Received(PeriodGranularity.Year, 2026, 2026));
        Assert.Equal(7, Received(PeriodGranularity.Year, 2025, 2025));
        Assert.Equal(12, Received(PeriodGranularity.Day, Day(2025, 12, 1), Day(2026, 2, 28)));
        Assert.Equal(5, Received(PeriodGranularity.Day, Day(2026, 1, 31), Day(2026, 2, 1)));
        Assert.Equal(0, Received(PeriodGranularity.Day, Day(2026, 2, 2), Day(2026, 2, 2)));
        Assert.Equal(9, Received(PeriodGranularity.Month, 2025 * 12 + 11, 2026 * 12));
        Assert.Equal(12, Received(PeriodGranularity.Year, 2025, 2026));
        Assert.Equal(0, Received(PeriodGranularity.Year, 2024, 2024));
    }

    [Fact]
    public void ADeltaAndItsNegationCancelToNothing()
    {
        var builder = new DayDeltaBuilder();
        builder.Add(Day(2026, 3, 1), LoadCounters.Issued(EventKind.Meeting), 4);
        builder.Add(Day(2026, 3, 2), LoadCounters.MeetingMinutes, 90);
        var delta = builder.Build();
        Assert.Equal(2, delta.Days.Length);

        builder.Add(delta);
        builder.Add(delta, negate: true);
        Assert.True(builder.Build().IsEmpty);
    }

    [Fact]
    public void ToDeltaRoundTripsEveryDay()
    {
        var counters = new PeriodCounters();
        counters.Add(Day(2026, 5, 1), Vector(LoadCounters.InspectionDays, 3));
        counters.Add(Day(2024, 5, 1), Vector(LoadCounters.Issued(EventKind.Overreach), 1));
        var copy = new PeriodCounters();
        copy.Add(counters.ToDelta());
        Assert.Equal(counters.Sum(new PeriodRange(PeriodGranularity.Year, 2020, 2030)), copy.Sum(new PeriodRange(PeriodGranularity.Year, 2020, 2030)));
        Assert.Equal(2, copy.DayCount);
    }

    [Theory]
    [InlineData(1, 2, false)]
    [InlineData(2, 3, false)]
    [InlineData(3, 14, true)]
    public void CellsAndRowsHoldTheSameCounts(int seed, int slotsPerDay, bool rows)
    {
        // Adds over 400 days, in as many slots a day as given: few slots a day stay in cells, a
        // full day's worth moves to rows on the way. Every read agrees with a plain dictionary.
        var random = new Random(seed);
        var counters = new PeriodCounters();
        var expected = new Dictionary<(int Day, int Slot), long>();
        var first = Day(2025, 11, 1);
        for (var i = 0; i < 3_000; i++)
        {
            var day = first + random.Next(400);
            var slot = (day * 7 + random.Next(slotsPerDay)) % LoadCounters.Width;
            var amount = random.NextInt64(-50, 1_000);
            counters.Add(day, slot, amount);
            expected[(day, slot)] = expected.GetValueOrDefault((day, slot)) + amount;
        }

        Assert.Equal(rows, counters.InRows);
        var days = expected.Keys.Select(k => k.Day).Distinct().Order().ToList();
        Assert.Equal(days, counters.DayKeys.Order());
        Assert.Equal(days.Count, counters.DayCount);
        foreach (var ((day, slot), value) in expected)
        {
            Assert.Equal(value, counters.Get(day, slot));
        }

        var vector = new long[LoadCounters.Width];
        Assert.False(counters.TryGetDay(first - 1, vector));
        Assert.All(vector, v => Assert.Equal(0, v));
        Assert.True(counters.TryGetDay(days[0], vector));
        Assert.Equal(Enumerable.Range(0, LoadCounters.Width).Select(k => expected.GetValueOrDefault((days[0], k))), vector);

        foreach (var (from, to) in new[] { (first, first + 399), (first + 30, first + 30), (first + 100, first + 220), (first - 10, first - 1) })
        {
            var sum = counters.Sum(new PeriodRange(PeriodGranularity.Day, from, to));
            for (var k = 0; k < LoadCounters.Width; k++)
            {
                Assert.Equal(expected.Where(e => e.Key.Day >= from && e.Key.Day <= to && e.Key.Slot == k).Sum(e => e.Value), sum[k]);
            }
        }

        // The delta names the days that are not all zero, in order, with every slot.
        var delta = counters.ToDelta(negate: true);
        var nonZero = days.Where(d => expected.Any(e => e.Key.Day == d && e.Value != 0)).ToList();
        Assert.Equal(nonZero, delta.Days);
        for (var i = 0; i < delta.Days.Length; i++)
        {
            for (var k = 0; k < LoadCounters.Width; k++)
            {
                Assert.Equal(-expected.GetValueOrDefault((delta.Days[i], k)), delta.Values[(i * LoadCounters.Width) + k]);
            }
        }

        counters.Add(delta);
        Assert.All(counters.Sum(new PeriodRange(PeriodGranularity.Year, 2020, 2030)), v => Assert.Equal(0, v));
    }

    [Fact]
    public void AZeroAddedToADayNotHeldTakesNothing()
    {
        var counters = new PeriodCounters();
        counters.Add(Day(2026, 1, 1), 3, 0);
        counters.Add(Day(2026, 1, 2), Vector(4, 0));
        Assert.Equal(0, counters.DayCount);
        Assert.Empty(counters.ToDelta().Days);
    }
}
