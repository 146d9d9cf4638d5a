using System.Globalization;

namespace Oversight.Domain;

/// <summary>
/// Parses the period forms of <c>API.md</c> (<c>YYYY</c>, <c>YYYY-MM</c>, <c>YYYY-MM-DD</c>,
/// <c>last{N}d</c>) into bucket ranges, relative to the tenant's local today.
/// </summary>
public static class Period
{
    /// <summary>Longest <c>last{N}d</c> window.</summary>
    public const int MaxLastDays = 400;

    /// <summary>Parses a period; <paramref name="error"/> explains a refusal.</summary>
    public static bool TryParse(string? text, DateOnly today, out PeriodRange range, out string error)
    {
        range = default;
        error = "";
        if (string.IsNullOrEmpty(text))
        {
            error = "period is required: YYYY, YYYY-MM, YYYY-MM-DD or last{N}d";
            return false;
        }

        if (text.StartsWith("last", StringComparison.Ordinal) && text.EndsWith('d') && text.Length > 5)
        {
            var digits = text.AsSpan(4, text.Length - 5);
            if (!IsDigits(digits) || digits.Length > 3 || !int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1 || n > MaxLastDays)
            {
                error = $"last{{N}}d needs N between 1 and {MaxLastDays}";
                return false;
            }

            range = new PeriodRange(PeriodGranularity.Day, today.DayNumber - n + 1, today.DayNumber);
            return true;
        }

        if (TryParseBucket(text, out var granularity, out var key))
        {
            range = new PeriodRange(granularity, key, key);
            return true;
        }

        error = $"'{Truncate(text)}' is not a period: use YYYY, YYYY-MM, YYYY-MM-DD or last{{N}}d";
        return false;
    }

    /// <summary>Parses one bucket: a year, a month or a day.</summary>
    public static bool TryParseBucket(string text, out PeriodGranularity granularity, out int key)
    {
        granularity = default;
        key = 0;
        switch (text.Length)
        {
            case 4 when IsDigits(text) && TryYear(text, out var year):
                granularity = PeriodGranularity.Year;
                key = year;
                return true;
            case 7 when text[4] == '-' && IsDigits(text.AsSpan(0, 4)) && IsDigits(text.AsSpan(5, 2))
                && TryYear(text[..4], out var y) && int.Parse(text.AsSpan(5, 2), CultureInfo.InvariantCulture) is var m && m is >= 1 and <= 12:
                granularity = PeriodGranularity.Month;
                key = y * 12 + m - 1;
                return true;
            case 10 when DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
                && day.Year >= 1970:
                granularity = PeriodGranularity.Day;
                key = day.DayNumber;
                return true;
            default:
                return false;
        }
    }

    /// <summary>Parses a trend range: two months or two days, in order, at most <paramref name="maxPoints"/> buckets.</summary>
    public static bool TryParseRange(string? from, string? to, int maxPoints, out PeriodRange range, out string error)
    {
        range = default;
        if (from is null || to is null
            || !TryParseBucket(from, out var g1, out var k1) || !TryParseBucket(to, out var g2, out var k2)
            || g1 != g2 || g1 == PeriodGranularity.Year)
        {
            error = "from and to must both be months (YYYY-MM) or both be days (YYYY-MM-DD)";
            return false;
        }

        if (k2 < k1)
        {
            error = "from must not be after to";
            return false;
        }

        if (k2 - k1 + 1 > maxPoints)
        {
            error = $"at most {maxPoints} points per request";
            return false;
        }

        error = "";
        range = new PeriodRange(g1, k1, k2);
        return true;
    }

    /// <summary>The local day number of an instant in a time zone.</summary>
    public static int LocalDay(DateTimeOffset instant, TimeZoneInfo zone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, zone).DateTime).DayNumber;

    /// <summary>The local date of an instant in a time zone.</summary>
    public static DateOnly LocalDate(DateTimeOffset instant, TimeZoneInfo zone) =>
        DateOnly.FromDayNumber(LocalDay(instant, zone));

    private static bool TryYear(string digits, out int year) =>
        int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out year) && year is >= 1970 and <= 9999;

    private static bool IsDigits(ReadOnlySpan<char> s) => !s.IsEmpty && !s.ContainsAnyExceptInRange('0', '9');

    private static string Truncate(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
