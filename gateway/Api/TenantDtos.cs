using Oversight.Grains;

namespace Oversight.Gateway.Api;

/// <summary>The body of <c>PUT /api/v1/tenants/{tenant}</c>.</summary>
public sealed class TenantInput
{
    public string? Name { get; set; }

    public string? TimeZone { get; set; }

    public AlertSettingsDto? AlertSettings { get; set; }
}

/// <summary>A tenant's alert thresholds (defaults: 24 h, 30 days, 3 events per cascade depth, 10 days to resolve a report).</summary>
public sealed record AlertSettingsDto(double? ShortDeadlineHours, int? DuplicateWindowDays, int? CascadeLimit, int? ReportDueDays = null);

/// <summary>A tenant as the API shows it.</summary>
public sealed record TenantDto(string Id, string Name, string TimeZone, int Units, AlertSettingsDto AlertSettings)
{
    public static TenantDto From(TenantInfo info) => new(info.Id, info.Name, info.TimeZone, info.Units,
        new AlertSettingsDto(info.Alerts.ShortDeadlineHours, info.Alerts.DuplicateWindowDays, info.Alerts.CascadeLimit, info.Alerts.ReportDueDays));
}
