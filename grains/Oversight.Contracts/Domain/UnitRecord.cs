namespace Oversight.Domain;

/// <summary>One unit of a group's tree as the platform holds it.</summary>
/// <param name="Id">Unit id, unique in the tenant.</param>
/// <param name="Name">Display name.</param>
/// <param name="ParentId">Parent unit id; null for the root.</param>
/// <param name="Headcount">Staff of this unit alone.</param>
/// <param name="Kind">Free-form kind (e.g. <c>hq</c>, <c>subsidiary</c>, <c>branch</c>).</param>
[GenerateSerializer, Immutable, Alias("Oversight.UnitRecord")]
public sealed record UnitRecord(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string? ParentId,
    [property: Id(3)] int Headcount,
    [property: Id(4)] string Kind);
