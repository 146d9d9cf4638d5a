namespace Oversight.Domain;

/// <summary>
/// Strict RFC 3339 timestamps (<c>2026-11-24T10:00:00.123+08:00</c>, or <c>Z</c>), read by hand:
/// ingest reads one per event, and the general-purpose parsers cost more than the rest of an
/// event's validation.
/// </summary>
public static class Rfc3339
{
    /// <summary>Writes an instant as the API shows times: in a time zone's local time, milliseconds and offset (<c>2026-11-24T10:00:00.123+08:00</c>).</summary>
    public static string Format(DateTimeOffset instant, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(instant, zone).ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Reads <c>YYYY-MM-DDTHH:MM:SS[.fraction]{Z|±HH:MM}</c>; false for anything else, including
    /// impossible dates, leap seconds and offsets beyond ±14:00.
    /// </summary>
    public static bool TryParse(string? text, out DateTimeOffset value)
    {
        value = default;
        if (text is null || text.Length < 20
            || !Digits(text, 0, 4, out var year) || text[4] != '-'
            || !Digits(text, 5, 2, out var month) || text[7] != '-'
            || !Digits(text, 8, 2, out var day) || text[10] is not ('T' or 't')
            || !Digits(text, 11, 2, out var hour) || text[13] != ':'
            || !Digits(text, 14, 2, out var minute) || text[16] != ':'
            || !Digits(text, 17, 2, out var second))
        {
            return false;
        }

        var at = 19;
        long fractionTicks = 0;
        if (text[at] == '.')
        {
            var start = ++at;
            var scale = TimeSpan.TicksPerSecond;
            while (at < text.Length && char.IsAsciiDigit(text[at]))
            {
                scale /= 10;
                fractionTicks += (text[at] - '0') * scale;
                at++;
            }

            if (at == start || at - start > 9)
            {
                return false;
            }
        }

        if (at >= text.Length)
        {
            return false;
        }

        int offsetMinutes;
        if (text[at] is 'Z' or 'z')
        {
            offsetMinutes = 0;
            at++;
        }
        else if (text[at] is '+' or '-' && at + 6 == text.Length
            && Digits(text, at + 1, 2, out var offsetHours) && text[at + 3] == ':' && Digits(text, at + 4, 2, out var offsetMins)
            && offsetMins < 60 && offsetHours * 60 + offsetMins <= 14 * 60)
        {
            offsetMinutes = (offsetHours * 60 + offsetMins) * (text[at] == '-' ? -1 : 1);
            at += 6;
        }
        else
        {
            return false;
        }

        if (at != text.Length || year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        var ticks = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).Ticks + fractionTicks;
        var offset = TimeSpan.FromMinutes(offsetMinutes);
        var utcTicks = ticks - offset.Ticks;
        if (utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks)
        {
            return false;
        }

        value = new DateTimeOffset(ticks, offset);
        return true;
    }

    private static bool Digits(string text, int start, int count, out int value)
    {
        value = 0;
        for (var i = start; i < start + count; i++)
        {
            if (!char.IsAsciiDigit(text[i]))
            {
                return false;
            }

            value = value * 10 + (text[i] - '0');
        }

        return true;
    }
}
