using System.Globalization;
using Oversight.Domain;

namespace Oversight.Governance;

/// <summary>
/// Caps on what a unit issues (发文总量控制) with early warning (超发文苗头预警):
/// <c>quotaExceeded</c> when the count c passes the cap Q; <c>quotaTrend</c> when, in the current
/// period, c ≤ Q but c divided by the elapsed fraction of the period exceeds Q.
/// </summary>
public static class QuotaRules
{
    /// <summary>Evaluates one capped kind in one period; null when nothing fires.</summary>
    /// <param name="unit">The issuing unit.</param>
    /// <param name="kind">The capped kind.</param>
    /// <param name="granularity">Month or year.</param>
    /// <param name="periodKey">The period's bucket key.</param>
    /// <param name="issued">Issued count c in that period.</param>
    /// <param name="cap">The cap Q.</param>
    /// <param name="now">The server clock.</param>
    /// <param name="zone">The tenant's zone.</param>
    /// <param name="eventId">The event that brought the count to c, if any.</param>
    /// <param name="affected">That event's targets.</param>
    public static Alert? Evaluate(string unit, EventKind kind, PeriodGranularity granularity, int periodKey, long issued, long cap,
        DateTimeOffset now, TimeZoneInfo zone, string? eventId, string[] affected)
    {
        var period = PeriodRange.Format(granularity, periodKey);
        var scopeZh = granularity == PeriodGranularity.Month ? "本月" : "本年";
        var scopeEn = granularity == PeriodGranularity.Month ? "month" : "year";
        if (issued > cap)
        {
            return new Alert($"{AlertTypes.QuotaExceeded}:{unit}:{kind.Name()}:{period}", AlertTypes.QuotaExceeded, unit, affected, eventId, period, now,
                $"{unit} {period} 已{Words.Zh(kind)} {issued} 件，超过上限 {cap} 件 / {unit} issued {issued} {Words.En(kind)} in {scopeEn} {period}, over the cap of {cap}");
        }

        var fraction = ElapsedFraction(granularity, periodKey, now, zone);
        if (fraction is > 0 and < 1 && issued > 0 && issued / fraction > cap)
        {
            var projected = (issued / fraction).ToString("0.#", CultureInfo.InvariantCulture);
            var percent = (fraction * 100).ToString("0", CultureInfo.InvariantCulture);
            return new Alert($"{AlertTypes.QuotaTrend}:{unit}:{kind.Name()}:{period}", AlertTypes.QuotaTrend, unit, affected, eventId, period, now,
                $"{unit} {scopeZh}已{Words.Zh(kind)} {issued} 件（上限 {cap} 件），时间过去 {percent}%，按当前进度预计 {projected} 件 / {unit} issued {issued} of {cap} {Words.En(kind)} with {percent}% of the {scopeEn} gone; projected {projected}");
        }

        return null;
    }

    /// <summary>How much of a period has passed at <paramref name="now"/> in the tenant's zone: 0 before it, 1 after it.</summary>
    public static double ElapsedFraction(PeriodGranularity granularity, int periodKey, DateTimeOffset now, TimeZoneInfo zone)
    {
        var (start, end) = granularity == PeriodGranularity.Month
            ? (new DateTime(periodKey / 12, periodKey % 12 + 1, 1), new DateTime(periodKey / 12, periodKey % 12 + 1, 1).AddMonths(1))
            : (new DateTime(periodKey, 1, 1), new DateTime(periodKey + 1, 1, 1));
        var local = TimeZoneInfo.ConvertTime(now, zone).DateTime;
        return Math.Clamp((local - start).TotalSeconds / (end - start).TotalSeconds, 0, 1);
    }
}
