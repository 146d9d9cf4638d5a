namespace Oversight.Grains;

/// <summary>Names of the grain storage providers.</summary>
public static class StorageNames
{
    /// <summary>The store of tenants, the directory and the ledgers' watermarks.</summary>
    public const string Store = "oversight";

    /// <summary>
    /// Unit checkpoints: many small, frequent writes. In cluster mode they are grouped into one
    /// Redis call per <see cref="Storage.RedisGroupedStore.Linger"/> (<see cref="Storage.RedisGroupedStore"/>).
    /// </summary>
    public const string Units = "oversight-units";
}
