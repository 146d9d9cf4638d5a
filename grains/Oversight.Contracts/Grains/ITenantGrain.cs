using Orleans.Concurrency;
using Oversight.Domain;

namespace Oversight.Grains;

/// <summary>One enterprise group: its settings and its tree (key: tenant id).</summary>
public interface ITenantGrain : IGrainWithStringKey
{
    /// <summary>Creates or updates the tenant's settings; null thresholds keep their current (or default) values.</summary>
    Task<TenantUpsertResult> Upsert(string name, string timeZone, AlertThresholds? thresholds = null);

    /// <summary>The tenant's settings, or null when it does not exist.</summary>
    [AlwaysInterleave]
    Task<TenantInfo?> GetInfo();

    /// <summary>The tree's current version (it only grows), or -1 when the tenant does not exist: the cheap question a gateway asks per request.</summary>
    [AlwaysInterleave]
    Task<long> GetTreeVersion();

    /// <summary>The tree when its version differs from <paramref name="knownVersion"/>; null when unchanged or the tenant does not exist.</summary>
    [AlwaysInterleave]
    Task<TreeSnapshot?> GetTreeIfChanged(long knownVersion);

    /// <summary>A unit's current parent (null for the root or an unknown unit) and children, sorted by id.</summary>
    [AlwaysInterleave]
    Task<UnitPlace> GetPlaceOf(string unit);

    /// <summary>The current children of a unit, sorted by id.</summary>
    [AlwaysInterleave]
    Task<string[]> GetChildrenOf(string unit);

    /// <summary>Validates and applies a bulk unit upsert whole; <paramref name="scopeUnit"/> limits a member.</summary>
    Task<TreeChange> UpsertUnits(UnitRecord[] batch, string? scopeUnit);

    /// <summary>Records that events were counted, which fixes the time zone.</summary>
    Task MarkHasEvents();
}

/// <summary>Where a unit sits in its tree: what a unit asks for when it activates.</summary>
[GenerateSerializer, Immutable, Alias("Oversight.UnitPlace")]
public sealed record UnitPlace([property: Id(0)] string? Parent, [property: Id(1)] string[] Children);
