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
}
