namespace Oversight.Grains;

/// <summary>
/// Grain keys. Tenant ids never contain '/', so <c>tenant/unit</c> splits at the first slash even
/// when a unit id has slashes of its own.
/// </summary>
public static class GrainKeys
{
    /// <summary>Key of a unit grain.</summary>
    public static string Unit(string tenant, string unit) => $"{tenant}/{unit}";

    /// <summary>Key of one shard of a tenant's event-id ledger.</summary>
    public static string LedgerShard(string tenant, int shard) => $"{tenant}/{shard}";

    /// <summary>Splits a compound key into tenant and the rest.</summary>
    public static (string Tenant, string Local) Split(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return (key[..slash], key[(slash + 1)..]);
    }
}
