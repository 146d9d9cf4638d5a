using System.Collections.Concurrent;
using Oversight.Domain;
using Oversight.Grains;

namespace Oversight.Gateway.Access;

/// <summary>
/// The gateway's copy of each tenant's tree, one <see cref="TreeView"/> per version. Every request
/// asks the tenant grain whether the version moved (one cheap interleaving call), so several
/// gateways never answer from a stale tree. Requests that learn of the same new version together
/// share one index of it: the first burst on a tenant (32 clients posting at once) had built one
/// each, 32 indexes of a 100,000-unit tree, all but one thrown away.
/// </summary>
public sealed class TreeCache(IGrainFactory grains)
{
    private readonly ConcurrentDictionary<string, CachedTree> _trees = new(StringComparer.Ordinal);

    /// <summary>The newest version being indexed (or indexed last) per tenant.</summary>
    private readonly ConcurrentDictionary<string, Building> _building = new(StringComparer.Ordinal);

    /// <summary>The current tree, or null when the tenant does not exist.</summary>
    public async Task<CachedTree?> GetAsync(string tenant)
    {
        _trees.TryGetValue(tenant, out var cached);
        var snapshot = await grains.Reference<ITenantGrain>(tenant).GetTreeIfChanged(cached?.View.Version ?? -1);
        if (snapshot is null)
        {
            return cached;
        }

        var building = _building.AddOrUpdate(
            tenant,
            static (_, s) => new Building(s),
            static (_, held, s) => held.Version == s.Version && held.HasEvents == s.HasEvents ? held : new Building(s),
            snapshot);
        var fresh = building.Tree.Value;
        _trees[tenant] = fresh;
        return fresh;
    }

    /// <summary>One version of a tenant's tree, indexed once by whichever request asks first.</summary>
    private sealed class Building(TreeSnapshot snapshot)
    {
        public long Version { get; } = snapshot.Version;

        public bool HasEvents { get; } = snapshot.HasEvents;

        public Lazy<CachedTree> Tree { get; } = new(() => new CachedTree(snapshot.Info, new TreeView(snapshot.Units, snapshot.Version), ResolveZone(snapshot.Info.TimeZone), snapshot.HasEvents));
    }

    private static TimeZoneInfo ResolveZone(string id) =>
        TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc;
}

/// <summary>A tenant's settings with an indexed tree and its resolved time zone.</summary>
public sealed record CachedTree(TenantInfo Info, TreeView View, TimeZoneInfo Zone, bool HasEvents);
