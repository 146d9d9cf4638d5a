namespace Oversight.Gateway.Api;

/// <summary>A unit as <c>GET …/units/{unit}</c> shows it.</summary>
public sealed record UnitDto(string Id, string Name, string? ParentId, int Headcount, string Kind, string[] Path, string[] Children);

/// <summary>The answer of a bulk unit upsert.</summary>
public sealed record UnitUpsertResponse(int Created, int Updated, int Moved, int Units);
