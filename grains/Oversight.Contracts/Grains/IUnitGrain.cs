using Orleans.Concurrency;
using Oversight.Domain;

namespace Oversight.Grains;

/// <summary>
/// One unit's live counters (key: <c>tenant/unit</c>): its own load by local day, and its
/// subtree's, kept current by the reports its children send up.
/// </summary>
public interface IUnitGrain : IGrainWithStringKey
{
    /// <summary>Adds this unit's own deliveries from one log entry; a position already held is ignored.</summary>
    Task Apply(UnitDeliveries deliveries);

    /// <summary>
    /// One delivery round down the tree, sent by the ledger to the top of each part of the round:
    /// this unit's own deliveries (if any), then its children's parts (<see cref="RoundNode"/>),
    /// each handed on with <see cref="ApplyFromParent"/>, which goes on down and answers with the
    /// child's report: the round's units need no report calls of their own. Fails when any part
    /// below failed (the ledger redelivers every share of the call directly; a unit ignores
    /// positions it holds).
    /// </summary>
    /// <remarks>
    /// The parts are passed as they are inside a silo, not copied (<c>[Immutable]</c>): nobody
    /// changes a round's arrays once the ledger has made them, and each level's call copied its
    /// children's array.
    /// </remarks>
    Task ApplyRound(UnitDeliveries? own, [Immutable] RoundNode[] children);

    /// <summary>
    /// Applies deliveries handed on by <paramref name="parent"/> (if any), hands on its own
    /// children's parts of the round and takes their answers, then answers with this unit's report
    /// of the days that changed when <paramref name="parent"/> is its parent and holds the version
    /// <paramref name="held"/> of its reports (-1: the parent does not hold this unit; no report
    /// then). The parent takes the report when the answer arrives; should a report this unit sent
    /// the usual way have been taken first, the parent asks for <see cref="ReportAgain"/>.
    /// </summary>
    ValueTask<SubtreeReport?> ApplyFromParent(UnitDeliveries? deliveries, string parent, long held, [Immutable] RoundNode[] children);

    /// <summary>
    /// Takes a child's report of its subtree totals. Interleaves with this unit's other turns, so
    /// a round that waits on its children holds no report back (a report is decided and
    /// taken within one turn).
    /// </summary>
    [AlwaysInterleave]
    Task<ReportAck> Report(SubtreeReport report);

    /// <summary>
    /// Reports the whole subtree again to the current parent: asked by a parent that could not
    /// take a report this unit answered with (see <see cref="ApplyFromParent"/>).
    /// </summary>
    Task ReportAgain();

    /// <summary>The whole subtree totals, for a parent that has just activated.</summary>
    [AlwaysInterleave]
    Task<SubtreeTotals> GetSubtreeTotals();

    /// <summary>Moves the unit under a new parent: its whole subtree leaves the old ancestors and joins the new.</summary>
    Task SetParent(string? parent);

    /// <summary>Sets the unit's caps on what it issues and evaluates them at once.</summary>
    Task SetQuotas(Governance.Quotas quotas, Governance.AlertSettings settings);

    /// <summary>The unit's caps.</summary>
    [ReadOnly]
    Task<Governance.Quotas> GetQuotas();

    /// <summary>
    /// Own and subtree counters over a period. Answered between the turns of a delivery or a
    /// round that waits on other grains (every change is applied whole within one turn, so
    /// a read sees each delivery and report entirely or not at all): a read never waits for a
    /// round to finish.
    /// </summary>
    [AlwaysInterleave]
    Task<UnitLoad> GetLoad(PeriodRange range);

    /// <summary>Subtree counters for each bucket of a range, in order (interleaved as <see cref="GetLoad"/>).</summary>
    [AlwaysInterleave]
    Task<long[][]> GetSubtreeSeries(PeriodRange range);

    /// <summary>Completes once every change so far has been reported to the parent; true when there was anything to report.</summary>
    Task<bool> Flush();

    /// <summary>
    /// The version of the child's report this parent holds, and whether it has passed everything
    /// it holds on. A child asks after reporting: the call activates a parent that died before
    /// passing the report on (it then pulls its children and re-reports), and an answer older than
    /// the child's last acknowledged report means this activation never saw it. Once the parent
    /// holds the report and has passed it on, the parent's own questions to its parent take over.
    /// </summary>
    [AlwaysInterleave]
    Task<HeldReport> HeldReportOf(string child);

    /// <summary>
    /// Asks the parent which report of this unit it holds, and reports the whole subtree again when
    /// the parent holds an older one than it acknowledged. True when it had to.
    /// </summary>
    Task<bool> VerifyReported();

    /// <summary>
    /// A checkpoint tick: writes what changed, confirms it to the ledger, raises what is due and
    /// asks the parent about the last report. The silo's tick wheel calls it every 10 s while the
    /// unit has anything to do (a unit's own turn, never interleaved).
    /// </summary>
    Task Tick();
}
