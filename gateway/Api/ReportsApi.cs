using Oversight.Domain;
using Oversight.Gateway.Access;
using Oversight.Gateway.Http;
using Oversight.Governance;
using Oversight.Grains;

namespace Oversight.Gateway.Api;

/// <summary>
/// <c>API.md</c>, Reports: upward pressure, a closed loop. A unit files a report about one of its
/// ancestors; members whose subtree holds that ancestor acknowledge and resolve it; the reporter's
/// side rates the resolution. An anonymous report never names or points at its reporting unit to
/// anyone but members at or below that unit: not to the unit it is about, not to the levels
/// between, not to administrators or regulators.
/// </summary>
public static class ReportsApi
{
    public static RouteGroupBuilder MapReportsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/tenants/{tenant}/reports", FileReport)
            .Produces<ReportDto>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/tenants/{tenant}/reports", ListReports)
            .Produces<ReportDto[]>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/tenants/{tenant}/reports/{id}", GetReport)
            .Produces<ReportDto>()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/tenants/{tenant}/reports/{id}/acknowledge", Acknowledge)
            .Produces<ReportDto>()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost("/tenants/{tenant}/reports/{id}/resolve", Resolve)
            .Produces<ReportDto>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost("/tenants/{tenant}/reports/{id}/rate", Rate)
            .Produces<ReportDto>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }

    private static async Task<IResult> FileReport(string tenant, HttpContext http, AccessControl access, IGrainFactory grains, TimeProvider clock)
    {
        var (scope, problem) = await access.TenantAsync(http, tenant, write: true);
        if (problem is not null)
        {
            return problem;
        }

        var (input, bodyProblem) = await JsonBody.ReadAsync<ReportInput>(http.Request, 64 * 1024);
        if (bodyProblem is not null)
        {
            return bodyProblem;
        }

        var view = scope!.Tree.View;
        var errors = new Dictionary<string, string[]>();
        var from = -1;
        if (string.IsNullOrEmpty(input!.FromUnit))
        {
            errors["fromUnit"] = ["fromUnit is required"];
        }
        else if (!view.TryGetIndex(input.FromUnit, out from))
        {
            // A member learns nothing about units outside its subtree, not even whether they exist.
            if (!scope.CoversTenant)
            {
                return Problems.Forbidden();
            }

            errors["fromUnit"] = [$"unit '{Truncate(input.FromUnit)}' does not exist"];
            from = -1;
        }
        else if (!scope.MaySee(from))
        {
            return Problems.Forbidden();
        }

        if (string.IsNullOrEmpty(input.AboutUnit))
        {
            errors["aboutUnit"] = ["aboutUnit is required"];
        }
        else if (from >= 0 && (!view.TryGetIndex(input.AboutUnit, out var about) || about == from || !view.IsWithin(from, about)))
        {
            errors["aboutUnit"] = ["aboutUnit must be a strict ancestor of fromUnit"];
        }

        if (input.Category is null || !ReportCategories.All.Contains(input.Category))
        {
            errors["category"] = [$"category must be one of {string.Join(", ", ReportCategories.All)}"];
        }

        if (!Text.IsCleanText(input.Text, ReportRules.MaxTextLength))
        {
            errors["text"] = [$"text is required: 1..{ReportRules.MaxTextLength} characters, no control characters but line breaks and tabs"];
        }

        var related = input.RelatedEvents ?? [];
        if (related.Length > ReportRules.MaxRelatedEvents)
        {
            errors["relatedEvents"] = [$"at most {ReportRules.MaxRelatedEvents} related events"];
        }
        else if (!related.All(Ids.IsUnitOrEventId))
        {
            errors["relatedEvents"] = ["each related event must be an event id"];
        }

        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        var filing = new ReportFiling(view.Units[from].Id, input.AboutUnit!, input.Category!, input.Text!, input.Anonymous ?? false,
            [.. related.Distinct(StringComparer.Ordinal)], scope.Caller.IsMember ? scope.Caller.Unit : null, scope.Tree.Info.TimeZone,
            scope.Tree.Info.Alerts.ReportDueDays);
        var report = await grains.Reference<IReportsGrain>(tenant).File(filing);
        return TypedResults.Created($"/api/v1/tenants/{tenant}/reports/{report.Id}", ToDto(report, scope, clock.GetUtcNow()));
    }

    private static async Task<IResult> ListReports(string tenant, string? unit, string? status, HttpContext http, AccessControl access, IGrainFactory grains, TimeProvider clock)
    {
        var (scope, problem) = await access.TenantAsync(http, tenant, write: false);
        if (problem is not null)
        {
            return problem;
        }

        var view = scope!.Tree.View;
        var (root, unitProblem) = AccessControl.SubtreeOf(scope, unit);
        if (unitProblem is not null)
        {
            return unitProblem;
        }

        if (status is not null && !ReportStatuses.Filters.Contains(status))
        {
            return Problems.BadRequest($"status must be one of {string.Join(", ", ReportStatuses.Filters)}.");
        }

        if (root < 0)
        {
            return TypedResults.Ok(Array.Empty<ReportDto>());
        }

        var now = clock.GetUtcNow();
        var reports = await grains.Reference<IReportsGrain>(tenant).List();
        return TypedResults.Ok(reports
            .Where(r => Reaches(scope, r, root))
            .Where(r => status is null || (status == ReportStatuses.Overdue ? r.IsOverdue(now) : r.Status == status))
            .Select(r => ToDto(r, scope, now))
            .ToArray());
    }

    private static async Task<IResult> GetReport(string tenant, string id, HttpContext http, AccessControl access, IGrainFactory grains, TimeProvider clock)
    {
        var (scope, report, problem) = await FindAsync(tenant, id, http, access, grains, mayChange: null);
        return problem ?? TypedResults.Ok(ToDto(report!, scope!, clock.GetUtcNow()));
    }

    private static async Task<IResult> Acknowledge(string tenant, string id, HttpContext http, AccessControl access, IGrainFactory grains, TimeProvider clock)
    {
        var (scope, report, problem) = await FindAsync(tenant, id, http, access, grains, MayAnswer);
        if (problem is not null)
        {
            return problem;
        }

        return Outcome(await grains.Reference<IReportsGrain>(tenant).Acknowledge(report!.Id, ActingUnit(scope!)), scope!, clock.GetUtcNow());
    }

    private static async Task<IResult> Resolve(string tenant, string id, HttpContext http, AccessControl access, IGrainFactory grains, TimeProvider clock)
    {
        var (scope, report, problem) = await FindAsync(tenant, id, http, access, grains, MayAnswer);
        if (problem is not null)
        {
            return problem;
        }

        var (input, bodyProblem) = await JsonBody.ReadAsync<ResolutionInput>(http.Request, 64 * 1024);
        if (bodyProblem is not null)
        {
            return bodyProblem;
        }

        if (!Text.IsCleanText(input!.Resolution, ReportRules.MaxResolutionLength))
        {
            return Problems.Invalid(new Dictionary<string, string[]> { ["resolution"] = [$"resolution is required: 1..{ReportRules.MaxResolutionLength} characters, no control characters but line breaks and tabs"] });
        }

        return Outcome(await grains.Reference<IReportsGrain>(tenant).Resolve(report!.Id, ActingUnit(scope!), input.Resolution!), scope!, clock.GetUtcNow());
    }

    private static async Task<IResult> Rate(string tenant, string id, HttpContext http, AccessControl access, IGrainFactory grains, TimeProvider clock)
    {
        var (scope, report, problem) = await FindAsync(tenant, id, http, access, grains, (s, r) => s.Caller.IsAdmin || MayKnowReporter(s, r));
        if (problem is not null)
        {
            return problem;
        }

        var (input, bodyProblem) = await JsonBody.ReadAsync<RatingInput>(http.Request, 64 * 1024);
        if (bodyProblem is not null)
        {
            return bodyProblem;
        }

        if (input!.Score is not (>= 1 and <= 5))
        {
            return Problems.Invalid(new Dictionary<string, string[]> { ["score"] = ["score must be a whole number from 1 to 5"] });
        }

        return Outcome(await grains.Reference<IReportsGrain>(tenant).Rate(report!.Id, ActingUnit(scope!), input.Score.Value), scope!, clock.GetUtcNow());
    }

    /// <summary>
    /// Resolves a report the caller may see (and, for a change, may make it): 404 when no such
    /// report, 403 when it is outside the caller's view or the change is not the caller's to make.
    /// </summary>
    private static async Task<(TenantScope? Scope, Report? Report, IResult? Problem)> FindAsync(
        string tenant, string id, HttpContext http, AccessControl access, IGrainFactory grains, Func<TenantScope, Report, bool>? mayChange)
    {
        var (scope, problem) = await access.TenantAsync(http, tenant, write: mayChange is not null);
        if (problem is not null)
        {
            return (null, null, problem);
        }

        var reportId = RouteValues.Id(id);
        var report = reportId.Length <= 64 ? await grains.Reference<IReportsGrain>(tenant).Get(reportId) : null;
        if (report is null)
        {
            // Only a caller who sees the whole tenant may learn that a report does not exist.
            return (null, null, scope!.CoversTenant ? Problems.NotFound($"Report '{Truncate(reportId)}' does not exist.") : Problems.Forbidden());
        }

        return MaySee(scope!, report) && (mayChange is null || mayChange(scope!, report)) ? (scope, report, null) : (null, null, Problems.Forbidden());
    }

    /// <summary>Whether the caller sees the report at all: administrators and regulators do; a member when it reaches the member's subtree.</summary>
    private static bool MaySee(TenantScope scope, Report report) => scope.ScopeUnit is not int s || Reaches(scope, report, s);

    /// <summary>
    /// Whether a report belongs to a unit's subtree: it is about a unit there, or it comes from one
    /// and does not hide its reporter from this caller (an anonymous report is never found through
    /// its reporter, so asking for the reporter's subtree cannot single it out).
    /// </summary>
    private static bool Reaches(TenantScope scope, Report report, int root)
    {
        var view = scope.Tree.View;
        bool Inside(string id) => view.TryGetIndex(id, out var i) && view.IsWithin(i, root);
        return Inside(report.AboutUnit) || (Inside(report.FromUnit) && (!report.Anonymous || MayKnowReporter(scope, report)));
    }

    /// <summary>Members whose subtree holds the unit a report is about may acknowledge and resolve it; so may administrators.</summary>
    private static bool MayAnswer(TenantScope scope, Report report) =>
        scope.Caller.IsAdmin || (scope.ScopeUnit is int s && scope.Tree.View.TryGetIndex(report.AboutUnit, out var about) && scope.Tree.View.IsWithin(about, s));

    /// <summary>The reporter's side: members whose own scope unit is the reporting unit or lies below it.</summary>
    private static bool MayKnowReporter(TenantScope scope, Report report) =>
        scope.ScopeUnit is int s && scope.Tree.View.TryGetIndex(report.FromUnit, out var from) && scope.Tree.View.IsWithin(s, from);

    private static string? ActingUnit(TenantScope scope) => scope.Caller.IsMember ? scope.Caller.Unit : null;

    private static IResult Outcome(ReportChange change, TenantScope scope, DateTimeOffset now) => change switch
    {
        { Report: null } => Problems.NotFound("The report does not exist."),
        { Conflict: { } conflict } => Problems.Conflict(conflict),
        _ => TypedResults.Ok(ToDto(change.Report, scope, now)),
    };

    /// <summary>The report as this caller may see it: an anonymous report hides everything that points at its reporter.</summary>
    private static ReportDto ToDto(Report report, TenantScope scope, DateTimeOffset now)
    {
        var hide = report.Anonymous && !MayKnowReporter(scope, report);
        var zone = scope.Tree.Zone;
        string Time(DateTimeOffset t) => Rfc3339.Format(t, zone);
        string? When(string action) => report.History.LastOrDefault(s => s.Action == action) is { } step ? Time(step.At) : null;
        return new ReportDto(
            report.Id,
            hide ? null : report.FromUnit,
            report.AboutUnit,
            report.Category,
            report.Text,
            report.Anonymous,
            hide ? [] : report.RelatedEvents,
            report.Status,
            report.IsOverdue(now),
            Time(report.CreatedAt),
            Time(report.DueAt),
            When("acknowledged"),
            When("resolved"),
            report.Resolution,
            report.Score,
            [.. report.History.Select(s => new ReportStepDto(s.Action, Time(s.At), hide && s.ReporterSide ? null : s.Unit))]);
    }

    private static string Truncate(string text) => text.Length > 64 ? text[..64] + "…" : text;
}
