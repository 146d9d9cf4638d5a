namespace Oversight.Grains;

/// <summary>A tenant's settings and size.</summary>
/// <param name="Id">Tenant id.</param>
/// <param name="Name">Display name.</param>
/// <param name="TimeZone">IANA time zone of the tenant's local days.</param>
/// <param name="Units">Units in the tree.</param>
/// <param name="Alerts">Alert thresholds (and the zone they are read in).</param>
[GenerateSerializer, Immutable, Alias("Oversight.TenantInfo")]
public sealed record TenantInfo(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string TimeZone,
    [property: Id(3)] int Units,
    [property: Id(4)] Governance.AlertSettings Alerts);
