using Microsoft.Extensions.Logging;
using Orleans.Serialization;
using Oversight.Governance;
using Oversight.Grains.Log;

namespace Oversight.Grains.Governance;

/// <summary>One state of one report, as the tenant's report log keeps it.</summary>
[GenerateSerializer, Immutable, Alias("Oversight.ReportEntry")]
public sealed record ReportEntry([property: Id(0)] long Position, [property: Id(1)] Report Report);

/// <summary>
/// A tenant's reports. Each change appends the report's new state to an append-only log before it
/// is answered (a restart replays the log: the last state of each id wins), and the log's position
/// check refuses a second activation's append. While any report is unresolved and not yet alerted,
/// a reminder (kept in the reminder table, Redis in cluster mode) raises the <c>reportOverdue</c>
/// alert of each one past its due time: it activates the grain again after a full restart, with no
/// request needed. Reads check first as well.
/// </summary>
[Orleans.Placement.Immovable]
public sealed partial class ReportsGrain(IEventLog log, Serializer<ReportEntry> serializer, IGrainFactory grains, TimeProvider clock, ILogger<ReportsGrain> logger)
    : Grain, IReportsGrain, IRemindable
{
    /// <summary>The log stream of a tenant's reports, beside its alerts and ingest shards.</summary>
    public const int LogShard = 1_001;

    /// <summary>The reminder that checks open reports for their due time.</summary>
    public const string DueReminder = "reportDue";

    /// <summary>How often open reports are checked for their due time (Orleans' shortest reminder period).</summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromMinutes(1);

    /// <summary>Report ids are this and a number counting up per tenant; nothing in an id points at its reporter.</summary>
    private const string IdPrefix = "rpt-";

    private readonly Dictionary<string, Report> _reports = new(StringComparer.Ordinal);
    private readonly HashSet<string> _alerted = new(StringComparer.Ordinal);
    private long _position;
    private long _sequence;
    private IGrainReminder? _reminder;

    private string Tenant => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await foreach (var bytes in log.ReadAllAsync(Tenant, LogShard).WithCancellation(cancellationToken))
        {
            var entry = serializer.Deserialize(bytes)!;
            _position = Math.Max(_position, entry.Position);
            _reports[entry.Report.Id] = entry.Report;
            if (long.TryParse(entry.Report.Id.AsSpan(IdPrefix.Length), out var n))
            {
                _sequence = Math.Max(_sequence, n);
            }
        }

        await LoadReminderAsync();
        await ScheduleCheckAsync();
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (_reminder is null)
        {
            await LoadReminderAsync();
        }

        await RaiseOverdue();
    }

    public async Task<Report> File(ReportFiling filing)
    {
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(filing.TimeZone, out var z) ? z : TimeZoneInfo.Utc;
        var now = TimeZoneInfo.ConvertTime(clock.GetUtcNow(), zone);
        var due = TimeZoneInfo.ConvertTime(now + TimeSpan.FromDays(filing.DueDays > 0 ? filing.DueDays : AlertSettings.DefaultReportDueDays), zone);
        var report = new Report(
            $"{IdPrefix}{_sequence + 1}", filing.FromUnit, filing.AboutUnit, filing.Category, filing.Text, filing.Anonymous,
            filing.RelatedEvents, ReportStatuses.Open, now, due, null, null,
            [new ReportStep("filed", now, filing.FiledBy, ReporterSide: true)]);
        await SaveAsync(report);
        _sequence++;
        await ScheduleCheckAsync();
        return report;
    }

    public Task<ReportChange> Acknowledge(string id, string? byUnit) => ChangeAsync(id, report => report.Status switch
    {
        ReportStatuses.Resolved => (null, "The report is resolved already."),
        ReportStatuses.Acknowledged => (report, null),
        _ => (report with { Status = ReportStatuses.Acknowledged, History = [.. report.History, Step("acknowledged", report, byUnit, false)] }, null),
    });

    public Task<ReportChange> Resolve(string id, string? byUnit, string resolution) => ChangeAsync(id, report => report.Status == ReportStatuses.Resolved
        ? (null, "The report is resolved already.")
        : (report with { Status = ReportStatuses.Resolved, Resolution = resolution, History = [.. report.History, Step("resolved", report, byUnit, false)] }, null));

    public Task<ReportChange> Rate(string id, string? byUnit, int score) => ChangeAsync(id, report => report.Status != ReportStatuses.Resolved
        ? (null, "Only a resolved report can be rated.")
        : (report with { Score = score, History = [.. report.History, Step("rated", report, byUnit, true)] }, null));

    public Task<Report?> Get(string id) => Task.FromResult(_reports.GetValueOrDefault(id));

    public async Task<Report[]> List()
    {
        await RaiseOverdue();
        return [.. _reports.Values.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id, StringComparer.Ordinal)];
    }

    public async Task RaiseOverdue()
    {
        var now = clock.GetUtcNow();
        var due = _reports.Values.Where(r => r.IsOverdue(now) && !_alerted.Contains(r.Id)).ToArray();
        if (due.Length > 0)
        {
            await grains.Reference<IAlertsGrain>(Tenant).Raise([.. due.Select(r => r.OverdueAlert(now))]);
            foreach (var report in due)
            {
                _alerted.Add(report.Id);
            }
        }

        await ScheduleCheckAsync();
    }

    private ReportStep Step(string action, Report report, string? byUnit, bool reporterSide) =>
        new(action, clock.GetUtcNow().ToOffset(report.CreatedAt.Offset), byUnit, reporterSide);

    private async Task<ReportChange> ChangeAsync(string id, Func<Report, (Report? Next, string? Conflict)> change)
    {
        if (!_reports.TryGetValue(id, out var report))
        {
            return new ReportChange(null, null);
        }

        var (next, conflict) = change(report);
        if (conflict is not null)
        {
            return new ReportChange(report, conflict);
        }

        if (!ReferenceEquals(next, report))
        {
            await SaveAsync(next!);
            await ScheduleCheckAsync();
        }

        return new ReportChange(next, null);
    }

    private async Task SaveAsync(Report report)
    {
        var entry = new ReportEntry(_position + 1, report);
        try
        {
            await log.AppendAsync(Tenant, LogShard, entry.Position, serializer.SerializeToArray(entry));
        }
        catch (Exception ex)
        {
            // The log may hold the append or not (or another activation wrote first): read it again.
            logger.LogWarning(ex, "Appending report {Report} of tenant {Tenant} failed; the grain restarts from its log", report.Id, Tenant);
            DeactivateOnIdle();
            throw;
        }

        _position = entry.Position;
        _reports[report.Id] = report;
    }

    /// <summary>
    /// Keeps the due-time reminder while any report is unresolved and not yet alerted; none
    /// otherwise. The change it follows is already in the log, so a reminder table that fails
    /// does not fail the request: it is logged and tried again at the next change, read or tick.
    /// </summary>
    private async Task ScheduleCheckAsync()
    {
        var waiting = _reports.Values.Any(r => r.Status != ReportStatuses.Resolved && !_alerted.Contains(r.Id));
        try
        {
            if (waiting && _reminder is null)
            {
                _reminder = await this.RegisterOrUpdateReminder(DueReminder, CheckInterval, CheckInterval);
            }
            else if (!waiting && _reminder is not null)
            {
                await this.UnregisterReminder(_reminder);
                _reminder = null;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogReminderFailed(logger, ex, Tenant);
        }
    }

    /// <summary>The reminder an earlier activation registered, if any (none known when the table cannot be read).</summary>
    private async Task LoadReminderAsync()
    {
        try
        {
            _reminder = await this.GetReminder(DueReminder);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogReminderFailed(logger, ex, Tenant);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The report due-time reminder of tenant {Tenant} could not be read or updated; it is tried again at the next change, read or tick")]
    private static partial void LogReminderFailed(ILogger logger, Exception ex, string tenant);
}
