namespace Oversight.Grains;

/// <summary>A unit's own and subtree load vectors for one period (layout: <c>LoadCounters</c>).</summary>
[GenerateSerializer, Immutable, Alias("Oversight.UnitLoad")]
public sealed record UnitLoad([property: Id(0)] long[] Own, [property: Id(1)] long[] Subtree);
