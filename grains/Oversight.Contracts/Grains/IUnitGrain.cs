using Orleans.Concurrency;
using Oversight.Domain;

namespace Oversight.Grains;

/// <summary>
/// One unit's live counters (key: <c>tenant/unit</c>): its own load by local day, and its
/// subtree's, kept current by deltas its children send up.
/// </summary>
public interface IUnitGrain : IGrainWithStringKey
{
    /// <summary>Adds a batch of this unit's own deliveries (received and issued), then passes the change up.</summary>
    Task Apply(DayDelta own);

    /// <summary>Adds a change of a child's subtree, then passes it up.</summary>
    Task ApplyChildDelta(DayDelta delta);

    /// <summary>Moves the unit under a new parent: its whole subtree leaves the old ancestors and joins the new.</summary>
    Task SetParent(string? parent);

    /// <summary>Own and subtree counters over a period.</summary>
    [ReadOnly]
    Task<UnitLoad> GetLoad(PeriodRange range);

    /// <summary>Subtree counters for each bucket of a range, in order.</summary>
    [ReadOnly]
    Task<long[][]> GetSubtreeSeries(PeriodRange range);

    /// <summary>Completes once every change received so far has been handed to the parent; true when there was anything to hand.</summary>
    Task<bool> Flush();
}
