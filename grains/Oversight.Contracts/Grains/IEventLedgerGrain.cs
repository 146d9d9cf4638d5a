using Orleans.Concurrency;

namespace Oversight.Grains;

/// <summary>
/// One shard of a tenant's ingest (key: <c>tenant/shard</c>): it remembers accepted event ids,
/// appends each batch's new events to a durable log in one write, and drives the counting of
/// every logged entry into the unit grains until each unit has made it durable. A crash anywhere
/// replays from the log; units drop what they already hold, so every event counts once.
/// </summary>
public interface IEventLedgerGrain : IGrainWithStringKey
{
    /// <summary>Shards per tenant.</summary>
    const int Shards = 4;

    /// <summary>
    /// Accepts a batch: returns, per event, true when its id is new. When this returns the new
    /// events are in the durable log and counted in their units' live counters.
    /// </summary>
    Task<bool[]> Ingest(LoggedEvent[] events, Governance.AlertSettings settings);

    /// <summary>The deliveries for <paramref name="unit"/> logged after <paramref name="after"/> that it has not confirmed durable.</summary>
    [AlwaysInterleave]
    Task<UnitDeliveries[]> CatchUp(string unit, long after);

    /// <summary>A unit has made every delivery up to <paramref name="position"/> durable.</summary>
    [AlwaysInterleave]
    Task Confirm(string unit, long position);
}
