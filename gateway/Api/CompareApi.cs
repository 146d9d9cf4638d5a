using System.Globalization;
using System.Text;
using Oversight.Domain;
using Oversight.Gateway.Access;
using Oversight.Gateway.Auth;
using Oversight.Gateway.Http;
using Oversight.Governance;
using Oversight.Grains;

namespace Oversight.Gateway.Api;

/// <summary>
/// <c>API.md</c>, Regulators: comparing groups. One row per tenant the caller may read whole (an
/// administrator, a regulator of it, or a member holding its root): the root's subtree totals over
/// the period, per 100 staff, the change against a baseline, the alerts and the reports. As JSON,
/// or as CSV with <c>Accept: text/csv</c>.
/// </summary>
public static class CompareApi
{
    /// <summary>Most tenants in one comparison.</summary>
    public const int MaxTenants = 200;

    public static RouteGroupBuilder MapCompareApi(this RouteGroupBuilder api)
    {
        api.MapGet("/compare", Compare)
            .Produces<CompareRow[]>()
            .Produces(StatusCodes.Status200OK, contentType: "text/csv")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return api;
    }

    private static async Task<IResult> Compare(string? tenants, string? period, string? baseline, string? target, HttpContext http, TreeCache trees, IGrainFactory grains, TimeProvider clock)
    {
        var caller = Caller.From(http.User);
        if (caller is null)
        {
            return Problems.Forbidden();
        }

        string[] ids;
        if (string.IsNullOrWhiteSpace(tenants))
        {
            ids = await grains.Reference<ITenantDirectoryGrain>(ITenantDirectoryGrain.Key).List();
        }
        else
        {
            ids = [.. tenants.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal)];
            if (ids.FirstOrDefault(id => !Ids.IsTenantId(id)) is { } bad)
            {
                return Problems.BadRequest($"'{(bad.Length > 64 ? bad[..64] + "…" : bad)}' is not a tenant id.");
            }

            if (ids.Length > MaxTenants)
            {
                return Problems.BadRequest($"At most {MaxTenants} tenants per comparison.");
            }
        }

        // The period's form is checked once; each tenant reads it against its own local today.
        var utcToday = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        if (!Period.TryParse(period, utcToday, out _, out var error))
        {
            return Problems.BadRequest(error);
        }

        if (baseline is not null && !Period.TryParse(baseline, utcToday, out _, out var baselineError))
        {
            return Problems.BadRequest($"baseline: {baselineError}");
        }

        double? goal = null;
        if (target is not null)
        {
            if (!double.TryParse(target, System.Globalization.NumberStyles.AllowLeadingSign | System.Globalization.NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var t)
                || t is < -100 or > 1000)
            {
                return Problems.BadRequest("target must be a change in percent from -100 to 1000, e.g. -30 for a cut of 30%.");
            }

            goal = t;
        }

        var rows = new List<CompareRow>();
        foreach (var id in ids.Where(caller.MayRead))
        {
            var tree = await trees.GetAsync(id);
            if (tree is null || tree.View.Root < 0 || (caller.IsMember && caller.Unit != tree.View.Units[tree.View.Root].Id))
            {
                continue;
            }

            rows.Add(await RowAsync(id, tree, period!, baseline, goal, grains, clock));
        }

        if (WantsCsv(http.Request))
        {
            return TypedResults.Text(ToCsv(rows), "text/csv; charset=utf-8", Encoding.UTF8);
        }

        return TypedResults.Ok(rows);
    }

    private static async Task<CompareRow> RowAsync(string tenant, CachedTree tree, string period, string? baseline, double? goal, IGrainFactory grains, TimeProvider clock)
    {
        var today = Period.LocalDate(clock.GetUtcNow(), tree.Zone);
        Period.TryParse(period, today, out var range, out _);
        PeriodRange earlier;
        if (baseline is null)
        {
            earlier = range.YearEarlier();
        }
        else
        {
            Period.TryParse(baseline, today, out earlier, out _);
        }

        var view = tree.View;
        var root = grains.Reference<IUnitGrain>(GrainKeys.Unit(tenant, view.Units[view.Root].Id));
        var nowTask = root.GetLoad(range);
        var beforeTask = root.GetLoad(earlier);
        // Reports first: listing them raises any reportOverdue alert now due, which the alert counts then include.
        var reports = await grains.Reference<IReportsGrain>(tenant).List();
        var alerts = await grains.Reference<IAlertsGrain>(tenant).List(null, null);
        var now = (await nowTask).Subtree;
        var before = (await beforeTask).Subtree;

        var load = SubtreeLoad.From(now, view, view.Root);
        var headcount = load.Headcount;
        var kinds = EventKinds.Names;
        var per100 = kinds.Select((name, k) => (name, headcount == 0 ? (double?)null : Math.Round(now[LoadCounters.Received((EventKind)k)] * 100.0 / headcount, 2)))
            .ToDictionary(p => p.name, p => p.Item2);
        var change = kinds.Select((name, k) =>
            {
                var was = before[LoadCounters.Received((EventKind)k)];
                return (name, was == 0 ? (double?)null : Math.Round((now[LoadCounters.Received((EventKind)k)] - was) * 100.0 / was, 1));
            })
            .ToDictionary(p => p.name, p => p.Item2);

        var alertCounts = AlertTypes.Ordered.ToDictionary(t => t, _ => 0);
        foreach (var alert in alerts)
        {
            if (alert.Period is { } p && Period.TryParseBucket(p, out var g, out var key) && range.Covers(new PeriodRange(g, key, key).FirstDay))
            {
                alertCounts[alert.Type]++;
            }
        }

        var instant = clock.GetUtcNow();
        var filed = reports.Where(r => range.Covers(Period.LocalDate(r.CreatedAt, tree.Zone))).ToArray();
        var reportCounts = new ReportCounts(
            filed.Count(r => r.Status != ReportStatuses.Resolved),
            filed.Count(r => r.IsOverdue(instant)),
            filed.Count(r => r.Status == ReportStatuses.Resolved));

        // Against a reduction target (e.g. -30): met when the change is at or below it; unknown when the baseline is 0.
        var targetMet = goal is { } aim ? change.ToDictionary(c => c.Key, c => c.Value is { } v ? v <= aim : (bool?)null) : null;
        return new CompareRow(tenant, tree.Info.Name, period, baseline ?? Describe(earlier), load.Units, headcount,
            load.Received, load.Issued, load.MeetingMinutes, load.InspectionDays, per100, change, alertCounts, reportCounts, goal, targetMet);
    }

    private static string Describe(PeriodRange range) => range.From == range.To
        ? PeriodRange.Format(range.Granularity, range.From)
        : $"{PeriodRange.Format(range.Granularity, range.From)}..{PeriodRange.Format(range.Granularity, range.To)}";

    private static bool WantsCsv(HttpRequest request) =>
        request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase));

    /// <summary>One line per tenant, nested fields flattened to <c>received.document</c> and the like; empty cells for nulls.</summary>
    public static string ToCsv(IReadOnlyList<CompareRow> rows)
    {
        var kinds = EventKinds.Names;
        var header = new List<string> { "tenant", "name", "period", "baseline", "units", "headcount" };
        header.AddRange(kinds.Select(k => $"received.{k}"));
        header.AddRange(kinds.Select(k => $"issued.{k}"));
        header.AddRange(["meetingMinutes", "inspectionDays"]);
        header.AddRange(kinds.Select(k => $"per100Staff.{k}"));
        header.AddRange(kinds.Select(k => $"change.{k}"));
        header.AddRange(AlertTypes.Ordered.Select(t => $"alerts.{t}"));
        header.AddRange(["reports.open", "reports.overdue", "reports.resolved"]);
        var withTarget = rows.Any(r => r.TargetMet is not null);
        if (withTarget)
        {
            header.Add("target");
            header.AddRange(kinds.Select(k => $"targetMet.{k}"));
        }

        var text = new StringBuilder();
        text.AppendJoin(',', header).Append("\r\n");
        foreach (var row in rows)
        {
            var cells = new List<string> { row.Tenant, Quote(row.Name), row.Period, row.Baseline, Number(row.Units), Number(row.Headcount) };
            cells.AddRange(Counts(row.Received));
            cells.AddRange(Counts(row.Issued));
            cells.AddRange([Number(row.MeetingMinutes), Number(row.InspectionDays)]);
            cells.AddRange(kinds.Select(k => Number(row.Per100Staff[k])));
            cells.AddRange(kinds.Select(k => Number(row.Change[k])));
            cells.AddRange(AlertTypes.Ordered.Select(t => Number(row.Alerts[t])));
            cells.AddRange([Number(row.Reports.Open), Number(row.Reports.Overdue), Number(row.Reports.Resolved)]);
            if (withTarget)
            {
                cells.Add(Number(row.Target));
                cells.AddRange(kinds.Select(k => row.TargetMet![k] switch { true => "true", false => "false", null => "" }));
            }
            text.AppendJoin(',', cells).Append("\r\n");
        }

        return text.ToString();
    }

    private static IEnumerable<string> Counts(KindCounts c) =>
        [Number(c.Document), Number(c.Meeting), Number(c.Inspection), Number(c.DataRequest), Number(c.DigitalDemand), Number(c.Overreach)];

    private static string Number(double? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";

    /// <summary>RFC 4180 quoting; a leading formula character is defused so a spreadsheet shows the name as text.</summary>
    private static string Quote(string value)
    {
        var safe = value.Length > 0 && "=+-@".Contains(value[0], StringComparison.Ordinal) ? "'" + value : value;
        return safe.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{safe.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : safe;
    }
}

/// <summary>Report counts of a tenant: filed in the period, and where they stand now (overdue ones are also open).</summary>
public sealed record ReportCounts(int Open, int Overdue, int Resolved);

/// <summary>One tenant in a comparison: the root's subtree over the period; with <c>target</c>, whether each kind's change met it.</summary>
public sealed record CompareRow(
    string Tenant,
    string Name,
    string Period,
    string Baseline,
    int Units,
    long Headcount,
    KindCounts Received,
    KindCounts Issued,
    long MeetingMinutes,
    long InspectionDays,
    Dictionary<string, double?> Per100Staff,
    Dictionary<string, double?> Change,
    Dictionary<string, int> Alerts,
    ReportCounts Reports,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] double? Target = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] Dictionary<string, bool?>? TargetMet = null);
