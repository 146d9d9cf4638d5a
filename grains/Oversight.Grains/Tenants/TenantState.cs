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
}
