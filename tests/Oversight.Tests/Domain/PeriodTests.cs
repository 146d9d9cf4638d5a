using Oversight.Domain;

namespace Oversight.Tests.Domain;

public sealed class PeriodTests
{
    private static readonly DateOnly Today = new(2026, 11, 24);
    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    [Fact]
    public void YearMonthAndDayParseToTheirBuckets()
    {
        Assert.True(Period.TryParse("2026", Today, out var year, out _));
        Assert.Equal(new PeriodRange(PeriodGranularity.Year, 2026, 2026), year);
        Assert.True(Period.TryParse("2026-11", Today, out var month, out _));
        Assert.Equal(new PeriodRange(PeriodGranularity.Month, 2026 * 12 + 10, 2026 * 12 + 10), month);
        Assert.True(Period.TryParse("2026-02-28", Today, out var day, out _));
        Assert.Equal(new DateOnly(2026, 2, 28).DayNumber, day.From);
        Assert.Equal(day.From, day.To);
    }

    [Theory]
    [InlineData("last1d", 1)]
    [InlineData("last30d", 30)]
    [InlineData("last400d", 400)]
    public void LastNDaysEndsToday(string text, int days)
    {
        Assert.True(Period.TryParse(text, Today, out var range, out _));
        Assert.Equal(PeriodGranularity.Day, range.Granularity);
        Assert.Equal(Today.DayNumber, range.To);
        Assert.Equal(days, range.Length);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("last0d")]
    [InlineData("last401d")]
    [InlineData("last-1d")]
    [InlineData("lastd")]
    [InlineData("2026-13")]
    [InlineData("2026-00")]
    [InlineData("2026-02-30")]
    [InlineData("26")]
    [InlineData("2026-1")]
    [InlineData("2026-11-24T00:00")]
    [InlineData("１９９９")]
    public void MalformedPeriodsAreRefusedWithAReason(string? text)
    {
        Assert.False(Period.TryParse(text, Today, out _, out var error));
        Assert.NotEmpty(error);
    }

    [Fact]
    public void AnEveningInUtcIsTheNextDayInShanghai()
    {
        var day = Period.LocalDay(DateTimeOffset.Parse("2026-11-30T20:00:00Z", System.Globalization.CultureInfo.InvariantCulture), Shanghai);
        Assert.Equal(new DateOnly(2026, 12, 1).DayNumber, day);
    }

    [Fact]
    public void LocalDayFollowsTheTenantZoneNotTheOffsetWritten()
    {
        var instant = DateTimeOffset.Parse("2026-06-30T22:30:00-05:00", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(new DateOnly(2026, 7, 1).DayNumber, Period.LocalDay(instant, Shanghai));
        Assert.Equal(new DateOnly(2026, 7, 1).DayNumber, Period.LocalDay(instant, TimeZoneInfo.Utc));
        Assert.Equal(new DateOnly(2026, 6, 30).DayNumber, Period.LocalDay(instant, TimeZoneInfo.FindSystemTimeZoneById("America/New_York")));
    }

    [Fact]
    public void TrendRangesNeedTwoBucketsOfOneKindInOrder()
    {
        Assert.True(Period.TryParseRange("2026-01", "2026-11", 120, out var months, out _));
        Assert.Equal(11, months.Length);
        Assert.True(Period.TryParseRange("2026-11-01", "2026-11-24", 400, out var days, out _));
        Assert.Equal(24, days.Length);
        Assert.False(Period.TryParseRange("2026-11", "2026-11-24", 400, out _, out _));
        Assert.False(Period.TryParseRange("2026-11", "2026-01", 400, out _, out _));
        Assert.False(Period.TryParseRange("2025", "2026", 400, out _, out _));
        Assert.False(Period.TryParseRange("2020-01-01", "2026-01-01", 400, out _, out _));
    }

    [Fact]
    public void BucketKeysFormatBackToPeriods()
    {
        Assert.Equal("2026", PeriodRange.Format(PeriodGranularity.Year, 2026));
        Assert.Equal("2026-01", PeriodRange.Format(PeriodGranularity.Month, 2026 * 12));
        Assert.Equal("2026-12", PeriodRange.Format(PeriodGranularity.Month, 2026 * 12 + 11));
        Assert.Equal("2026-11-24", PeriodRange.Format(PeriodGranularity.Day, Today.DayNumber));
    }
}
