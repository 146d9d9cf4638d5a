using System.Globalization;
using Oversight.Domain;

namespace Oversight.Tests.Domain;

public sealed class Rfc3339Tests
{
    [Theory]
    [InlineData("2026-11-24T10:00:00+08:00")]
    [InlineData("2026-11-24T10:00:00.123+08:00")]
    [InlineData("2026-11-24t10:00:00.1234567z")]
    [InlineData("2026-11-24T23:59:59.999999999-05:30")]
    [InlineData("2024-02-29T00:00:00Z")]
    [InlineData("2026-01-01T00:00:00+14:00")]
    [InlineData("2026-01-01T00:00:00-14:00")]
    public void ReadsWhatTheGeneralParserReads(string text)
    {
        Assert.True(Rfc3339.TryParse(text, out var value));
        var expected = DateTimeOffset.Parse(TrimFraction(text), CultureInfo.InvariantCulture);
        Assert.Equal(expected, value);
        Assert.Equal(expected.Offset, value.Offset);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("2026-11-24T10:00:00")]
    [InlineData("2026-11-24 10:00:00Z")]
    [InlineData("2026-11-24T10:00:00.Z")]
    [InlineData("2026-11-24T10:00:00.1234567890Z")]
    [InlineData("2026-02-29T10:00:00Z")]
    [InlineData("2026-13-01T10:00:00Z")]
    [InlineData("2026-11-24T24:00:00Z")]
    [InlineData("2026-11-24T10:60:00Z")]
    [InlineData("2026-11-24T10:00:60Z")]
    [InlineData("2026-11-24T10:00:00+14:01")]
    [InlineData("2026-11-24T10:00:00+0800")]
    [InlineData("2026-11-24T10:00:00+08:00 ")]
    [InlineData("0000-01-01T00:00:00Z")]
    [InlineData("0001-01-01T00:00:00+01:00")]
    [InlineData("２０２６-11-24T10:00:00Z")]
    public void RefusesEverythingElse(string? text) => Assert.False(Rfc3339.TryParse(text, out _));

    /// <summary>The general parser keeps 7 fraction digits; so does ours (a tick is 100 ns).</summary>
    private static string TrimFraction(string text)
    {
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0)
        {
            return text;
        }

        var end = dot + 1;
        while (end < text.Length && char.IsAsciiDigit(text[end]))
        {
            end++;
        }

        return end - dot - 1 > 7 ? text[..(dot + 8)] + text[end..] : text;
    }
}
