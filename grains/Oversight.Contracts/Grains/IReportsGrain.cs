using Orleans.Concurrency;
using Oversight.Governance;

namespace Oversight.Grains;

/// <summary>
/// A tenant's reports (key: tenant id), kept in a durable log. The gateway checks who may do what;
/// this grain keeps each report's state changes in order and raises <c>reportOverdue</c> alerts.
/// </summary>
public interface IReportsGrain : IGrainWithStringKey
{
    /// <summary>Files a new report; durable when this returns.</summary>
    Task<Report> File(ReportFiling filing);

    /// <summary>Marks a report acknowledged (again: no change); a conflict once resolved.</summary>
    Task<ReportChange> Acknowledge(string id, string? byUnit);

    /// <summary>Resolves a report with an answer; a conflict when already resolved.</summary>
    Task<ReportChange> Resolve(string id, string? byUnit, string resolution);

    /// <summary>Rates a resolved report (a later rating replaces the earlier); a conflict before resolution.</summary>
    Task<ReportChange> Rate(string id, string? byUnit, int score);

    /// <summary>One report, or null.</summary>
    [ReadOnly]
    Task<Report?> Get(string id);

    /// <summary>Every report, newest first, after raising any overdue alert that is due.</summary>
    Task<Report[]> List();

    /// <summary>Raises the <c>reportOverdue</c> alerts that are due now (also done on a timer while reports are open).</summary>
    Task RaiseOverdue();
}
