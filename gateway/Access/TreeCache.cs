using System.Collections.Concurrent;
using Oversight.Domain;
using Oversight.Grains;

namespace Oversight.Gateway.Access;

/// <summary>
/// The gateway's copy of each tenant's tree, one <see cref="TreeView"/> per version. Every request
/// asks the tenant grain whether the version moved (one cheap interleaving call), so several
/// gateways never answer from a stale tree.
/// </summary>
public sealed class TreeCache(IGrainFactory grains)
{
    private readonly ConcurrentDictionary<string, CachedTree> _trees = new(StringComparer.Ordinal);

    /// <summary>The current tree, or null when the tenant does not exist.</summary>
    public async Task<CachedTree?> GetAsync(string tenant)
    {
        _trees.TryGetValue(tenant, out var cached);
        var snapshot = await grains.Reference<ITenantGrain>(tenant).GetTreeIfChanged(cached?.View.Version ?? -1);
        if (snapshot is null)
        {
            return cached;
        }

        var fresh = new CachedTree(snapshot.Info, new TreeView(snapshot.Units, snapshot.Version), ResolveZone(snapshot.Info.TimeZone), snapshot.HasEvents);
        _trees[tenant] = fresh;
        return fresh;
    }

    private static TimeZoneInfo ResolveZone(string id) =>
        TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc;
}

/// <summary>A tenant's settings with an indexed tree and its resolved time zone.</summary>
public sealed record CachedTree(TenantInfo Info, TreeView View, TimeZoneInfo Zone, bool HasEvents);
