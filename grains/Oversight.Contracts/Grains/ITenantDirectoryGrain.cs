using Orleans.Concurrency;
namespace Oversight.Grains;

/// <summary>The list of tenant ids (single instance, key <see cref="Key"/>).</summary>
public interface ITenantDirectoryGrain : IGrainWithStringKey
{
    /// <summary>The one key of this grain.</summary>
    const string Key = "directory";

    /// <summary>Adds a tenant id.</summary>
    Task Register(string tenant);

    /// <summary>All tenant ids, sorted.</summary>
    [AlwaysInterleave]
    Task<string[]> List();
}
