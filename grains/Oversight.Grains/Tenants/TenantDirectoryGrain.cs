namespace Oversight.Grains.Tenants;

[GenerateSerializer, Alias("Oversight.TenantDirectoryState")]
public sealed class TenantDirectoryState
{
    [Id(0)] public SortedSet<string> Tenants { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>The list of tenants, for <c>GET /api/v1/tenants</c>.</summary>
[Orleans.Placement.Immovable]
public sealed class TenantDirectoryGrain(
    [PersistentState("directory", StorageNames.Store)] IPersistentState<TenantDirectoryState> state) : Grain, ITenantDirectoryGrain
{
    public async Task Register(string tenant)
    {
        if (state.State.Tenants.Add(tenant))
        {
            await state.WriteStateAsync();
        }
    }

    public Task<string[]> List() => Task.FromResult(state.State.Tenants.ToArray());
}
