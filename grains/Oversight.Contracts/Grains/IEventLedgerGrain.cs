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
    /// <summary>
    /// Shards per tenant. One: a shard takes a batch in well under a millisecond of its own time
    /// (the durable append is the only wait), and every shard more multiplies the calls each unit
    /// receives, which is what bounds ingest.
    /// </summary>
    const int Shards = 1;

    /// <summary>
    /// Accepts a batch: returns, per event, true when its id is new. When this returns the new
    /// events are in the durable log; they are handed to their units by the shard's delivery pump,
    /// which merges what each unit receives from every batch logged meanwhile into one call.
    /// Interleaves: batches that arrive while a log write is on its way go in the next write
    /// together.
    /// </summary>
    [AlwaysInterleave]
    Task<bool[]> Ingest(EventBatch events, Governance.AlertSettings settings);

    /// <summary>
    /// True once every entry logged before this call has been handed to its units (counted in
    /// their own counters, or queued for redelivery when a unit could not be reached), except at
    /// most <paramref name="behind"/> events of the latest; false when <paramref name="within"/>
    /// passes first (the entries are durable and still on their way). With <paramref name="behind"/>
    /// 0 the caller's own events are counted when this answers true; with more, a backfill keeps
    /// the shard's rounds full while its backlog stays bounded.
    /// </summary>
    [AlwaysInterleave]
    Task<bool> Delivered(TimeSpan within, int behind);

    /// <summary>
    /// <see cref="Ingest"/>, then, when any event was new, <see cref="Delivered"/>, in one call:
    /// the gateway's way, which saves a round trip per batch in cluster mode.
    /// </summary>
    [AlwaysInterleave]
    Task<IngestAnswer> IngestAndWait(EventBatch events, Governance.AlertSettings settings, TimeSpan within, int behind);

    /// <summary>
    /// Activates the shard, nothing more: an activation replays every entry not yet durable in all
    /// its units. The tenant calls it when it activates, so after a restart the first request of
    /// any kind sets the acknowledged but undelivered entries on their way.
    /// </summary>
    [AlwaysInterleave]
    Task Wake();

    /// <summary>The deliveries for <paramref name="unit"/> logged after <paramref name="after"/> that it has not confirmed durable.</summary>
    [AlwaysInterleave]
    Task<UnitDeliveries[]> CatchUp(string unit, long after);

    /// <summary>
    /// Each of <paramref name="units"/> has made every delivery up to its position in
    /// <paramref name="positions"/> durable (a silo's units confirm together, see
    /// <c>LedgerConfirmations</c>).
    /// </summary>
    [AlwaysInterleave]
    Task Confirm(string[] units, long[] positions);
}

/// <summary>What <see cref="IEventLedgerGrain.IngestAndWait"/> answers: per event, whether its id was new; and whether the new events were delivered in time.</summary>
[GenerateSerializer, Immutable, Alias("Oversight.IngestAnswer")]
public sealed record IngestAnswer([property: Id(0)] bool[] Fresh, [property: Id(1)] bool Delivered);
