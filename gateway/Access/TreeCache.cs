using System.Collections.Concurrent;
using Oversight.Domain;
using Oversight.Grains;

namespace Oversight.Gateway.Access;

/// <summary>
/// The gateway's copy of each tenant's tree, one <see cref="TreeView"/> per version. Every request
/// asks the tenant grain for the tree's version (one cheap interleaving call), so several gateways
/// never answer from a stale tree. Requests that learn of the same new version together share one
/// transfer of the tree and one index of it: each had asked for the tree itself, and in cluster
/// mode the first burst on a tenant (32 clients posting at once, and again when its first events
/// bump the version) moved the whole tree across the network once per request; on a
/// 111,111-unit tree that was 36% of the gateway's samples and 10% of the silo's during a Redis
/// ingest. Versions only grow, so a transfer started for a version at least as new as the one a
/// request learned of answers it with a tree at least that new.
/// </summary>
public sealed class TreeCache(IGrainFactory grains)
{
    private readonly ConcurrentDictionary<string, CachedTree> _trees = new(StringComparer.Ordinal);

    /// <summary>The newest version being fetched and indexed (or fetched last) per tenant.</summary>
    private readonly ConcurrentDictionary<string, Building> _building = new(StringComparer.Ordinal);

    private long _transfers;

    /// <summary>How many times this cache has fetched a whole tree from a tenant grain.</summary>
    public long Transfers => Interlocked.Read(ref _transfers);

    /// <summary>The current tree, or null when the tenant does not exist.</summary>
    public async Task<CachedTree?> GetAsync(string tenant)
    {
        _trees.TryGetValue(tenant, out var cached);
        var grain = grains.Reference<ITenantGrain>(tenant);
        var version = await grain.GetTreeVersion();
        if (version < 0 || cached?.View.Version == version)
        {
            return cached;
        }

        var building = _building.AddOrUpdate(
            tenant,
            static (_, a) => new Building(a.Cache, a.Grain, a.Version),
            static (_, held, a) => held.Version >= a.Version && !held.Failed ? held : new Building(a.Cache, a.Grain, a.Version),
            (Cache: this, Grain: grain, Version: version));
        if (await building.Tree.Value is not { } fresh)
        {
            return cached;
        }

        _trees.AddOrUpdate(tenant, static (_, fresh) => fresh, static (_, held, fresh) => held.View.Version > fresh.View.Version ? held : fresh, fresh);
        return fresh;
    }

    /// <summary>
    /// One fetch of a tenant's tree, started for <see cref="Version"/> by whichever request asks
    /// first, and indexed once (the fetch starts only when its value is first asked for, so a
    /// <see cref="Building"/> that loses a race to be stored never calls the grain).
    /// </summary>
    private sealed class Building(TreeCache cache, ITenantGrain grain, long version)
    {
        public long Version { get; } = version;

        public Lazy<Task<CachedTree?>> Tree { get; } = new(async () =>
        {
            Interlocked.Increment(ref cache._transfers);
            return await grain.GetTreeIfChanged(-1) is { } snapshot
                ? new CachedTree(snapshot.Info, new TreeView(snapshot.Units, snapshot.Version), ResolveZone(snapshot.Info.TimeZone), snapshot.HasEvents)
                : null;
        });

        /// <summary>True when the fetch failed: the next request starts another.</summary>
        public bool Failed => Tree.IsValueCreated && (Tree.Value.IsFaulted || Tree.Value.IsCanceled);
    }

    private static TimeZoneInfo ResolveZone(string id) =>
        TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc;
}

/// <summary>A tenant's settings with an indexed tree and its resolved time zone.</summary>
public sealed record CachedTree(TenantInfo Info, TreeView View, TimeZoneInfo Zone, bool HasEvents);
