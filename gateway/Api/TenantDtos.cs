using Oversight.Grains;

namespace Oversight.Gateway.Api;

/// <summary>The body of <c>PUT /api/v1/tenants/{tenant}</c>.</summary>
public sealed class TenantInput
{
    public string? Name { get; set; }

    public string? TimeZone { get; set; }
}

/// <summary>A tenant as the API shows it.</summary>
public sealed record TenantDto(string Id, string Name, string TimeZone, int Units)
{
    public static TenantDto From(TenantInfo info) => new(info.Id, info.Name, info.TimeZone, info.Units);
}
