using System.Globalization;
using Oversight.Domain;
using Oversight.Grains;

namespace Oversight.Governance;

/// <summary>The alerts one event raises by itself: <c>shortDeadline</c> and <c>unplannedInspection</c>.</summary>
public static class EventAlerts
{
    /// <summary>The alerts of one accepted event (none for most, and then nothing is allocated).</summary>
    public static Alert[] For(LoggedEvent e, AlertSettings settings, DateTimeOffset raisedAt)
    {
        var shortDeadline = e.Kind == EventKind.DataRequest && e.DeadlineHours is double hours && hours < settings.ShortDeadlineHours;
        var unplanned = e.Kind == EventKind.Inspection && !e.Planned;
        if (!shortDeadline && !unplanned)
        {
            return [];
        }

        var day = PeriodRange.Format(PeriodGranularity.Day, e.Day);
        if (shortDeadline)
        {
            var h = e.DeadlineHours!.Value.ToString("0.##", CultureInfo.InvariantCulture);
            var limit = settings.ShortDeadlineHours.ToString("0.##", CultureInfo.InvariantCulture);
            return [new Alert(
                $"{AlertTypes.ShortDeadline}:{e.Id}", AlertTypes.ShortDeadline, e.Source, e.Targets, e.Id, day, raisedAt,
                $"数据报送 {e.Id} 仅给 {h} 小时（少于 {limit} 小时），涉及 {e.Targets.Length} 个单位 / data request {e.Id} gives {h} h to answer (under {limit} h) to {e.Targets.Length} units")];
        }

        return [new Alert(
            $"{AlertTypes.UnplannedInspection}:{e.Id}", AlertTypes.UnplannedInspection, e.Source, e.Targets, e.Id, day, raisedAt,
            $"计划外检查 {e.Id}：{e.Source} 检查 {e.Targets.Length} 个单位，{e.InspectionDays} 天 / unplanned inspection {e.Id}: {e.Source} inspects {e.Targets.Length} units for {e.InspectionDays} days")];
    }
}
