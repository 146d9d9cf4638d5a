namespace Oversight.Grains;

/// <summary>
/// One shard of a tenant's memory of accepted event ids (key: <c>tenant/shard</c>), so a
/// repeated id counts as a duplicate for at least 400 days.
/// </summary>
public interface IEventLedgerGrain : IGrainWithStringKey
{
    /// <summary>Shards per tenant.</summary>
    const int Shards = 16;

    /// <summary>Claims ids; each answer is true when the id is new (and is now taken).</summary>
    Task<bool[]> Claim(string[] ids);
}
