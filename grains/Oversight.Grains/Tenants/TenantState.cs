using Oversight.Domain;

namespace Oversight.Grains.Tenants;

[GenerateSerializer, Alias("Oversight.TenantState")]
public sealed class TenantState
{
    [Id(0)] public bool Exists { get; set; }

    [Id(1)] public string Name { get; set; } = "";

    [Id(2)] public string TimeZone { get; set; } = "Asia/Shanghai";

    [Id(3)] public Dictionary<string, UnitRecord> Units { get; set; } = new(StringComparer.Ordinal);

    [Id(4)] public long Version { get; set; }

    [Id(5)] public bool HasEvents { get; set; }

    [Id(6)] public double ShortDeadlineHours { get; set; } = Oversight.Governance.AlertSettings.DefaultShortDeadlineHours;

    [Id(7)] public int DuplicateWindowDays { get; set; } = Oversight.Governance.AlertSettings.DefaultDuplicateWindowDays;

    [Id(8)] public int CascadeLimit { get; set; } = Oversight.Governance.AlertSettings.DefaultCascadeLimit;

    [Id(9)] public int ReportDueDays { get; set; } = Oversight.Governance.AlertSettings.DefaultReportDueDays;
}
