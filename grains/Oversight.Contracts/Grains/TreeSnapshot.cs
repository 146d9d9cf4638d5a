using Oversight.Domain;

namespace Oversight.Grains;

/// <summary>One version of a tenant's tree, as the gateway caches it.</summary>
/// <param name="Info">The tenant's settings.</param>
/// <param name="Version">Tree version; changes on every applied upsert or settings change.</param>
/// <param name="Units">Every unit.</param>
/// <param name="HasEvents">True once any event was accepted (the time zone is then fixed).</param>
[GenerateSerializer, Immutable, Alias("Oversight.TreeSnapshot")]
public sealed record TreeSnapshot(
    [property: Id(0)] TenantInfo Info,
    [property: Id(1)] long Version,
    [property: Id(2)] UnitRecord[] Units,
    [property: Id(3)] bool HasEvents);
