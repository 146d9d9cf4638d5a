using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Oversight.Domain;
using Oversight.Gateway.Access;
using Oversight.Gateway.Http;
using Oversight.Grains;

namespace Oversight.Gateway.Api;

/// <summary>
/// <c>API.md</c>, Live: a unit's load as server-sent events. A <c>load</c> event at once and
/// whenever the subtree's counters for the period (or the tree) change, at most one per 250 ms; an
/// <c>alert</c> event for each new alert touching the subtree; a comment every 15 s. The stream ends
/// when the token expires, when the caller no longer sees the unit, or when the gateway stops.
/// </summary>
public static class LiveApi
{
    /// <summary>Shortest time between two load events, and how often the counters are looked at.</summary>
    public static readonly TimeSpan LoadInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>Consecutive failed looks at the counters (about 30 s) after which the stream ends and the client reconnects.</summary>
    public const int MaxFailedLooks = 120;

    /// <summary>Time between keep-alive comments on a quiet stream.</summary>
    public static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    public static RouteGroupBuilder MapLiveApi(this RouteGroupBuilder api)
    {
        api.MapGet("/tenants/{tenant}/units/{unit}/live", Live)
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    private static async Task<IResult> Live(string tenant, string unit, string? period, HttpContext http, AccessControl access, LoadReader reader, IGrainFactory grains,
        TreeCache trees, AlertFeed feed, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, IHostApplicationLifetime lifetime, TimeProvider clock)
    {
        var (scope, index, problem) = await access.UnitAsync(http, tenant, unit, write: false);
        if (problem is not null)
        {
            return problem;
        }

        if (!Period.TryParse(period, Period.LocalDate(clock.GetUtcNow(), scope!.Tree.Zone), out _, out var error))
        {
            return Problems.BadRequest(error);
        }

        return new LiveStream(new LiveContext(scope, index, scope.Tree.View.Units[index].Id, period!, reader, grains, trees, feed,
            json.Value.SerializerOptions, lifetime.ApplicationStopping, clock, Expiry(http)));
    }

    /// <summary>When the caller's token expires (the stream ends then).</summary>
    private static DateTimeOffset Expiry(HttpContext http) =>
        long.TryParse(http.User.FindFirst("exp")?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var exp)
            ? DateTimeOffset.FromUnixTimeSeconds(exp)
            : DateTimeOffset.MaxValue;

    private sealed record LiveContext(
        TenantScope Scope, int Index, string Unit, string Period, LoadReader Reader, IGrainFactory Grains, TreeCache Trees, AlertFeed Feed,
        JsonSerializerOptions Json, CancellationToken Stopping, TimeProvider Clock, DateTimeOffset Expires);

    private sealed class LiveStream(LiveContext live) : IResult
    {
        private DateTimeOffset _lastWrite;
        private int _failures;

        public async Task ExecuteAsync(HttpContext http)
        {
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, live.Stopping);
            var token = cancel.Token;
            var response = http.Response;
            response.ContentType = "text/event-stream; charset=utf-8";
            response.Headers.CacheControl = "no-cache, no-store";
            response.Headers["X-Accel-Buffering"] = "no";
            http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseBodyFeature>()?.DisableBuffering();

            using var subscription = await live.Feed.SubscribeAsync(live.Scope.Tenant);
            var scope = live.Scope;
            // The counters are taken before the first answer is read, so a change in between is
            // sent again rather than missed.
            var (seen, version) = (await OwnLoadAsync(scope), scope.Tree.View.Version);
            var (first, _) = await live.Reader.ReadAsync(scope, live.Index, live.Period, withChildren: true);
            await WriteAsync(response, "retry: 2000\n\n", token);
            await WriteEventAsync(response, "load", first!, token);

            using var ticks = new PeriodicTimer(LoadInterval, live.Clock);
            var tick = ticks.WaitForNextTickAsync(token).AsTask();
            var alerts = subscription.Alerts.WaitToReadAsync(token).AsTask();
            try
            {
                while (!token.IsCancellationRequested)
                {
                    await Task.WhenAny(tick, alerts);
                    if (alerts.IsCompleted)
                    {
                        if (!await alerts)
                        {
                            return;
                        }

                        while (subscription.Alerts.TryRead(out var batch))
                        {
                            var view = scope.Tree.View;
                            var root = view.TryGetIndex(live.Unit, out var r) ? r : -1;
                            bool Inside(string id) => root >= 0 && view.TryGetIndex(id, out var i) && view.IsWithin(i, root);
                            foreach (var alert in batch.Where(a => Inside(a.Unit) || a.Affected.Any(Inside)))
                            {
                                await WriteEventAsync(response, "alert", AlertDto.From(alert, scope.Tree.Zone), token);
                            }
                        }

                        alerts = subscription.Alerts.WaitToReadAsync(token).AsTask();
                    }

                    if (tick.IsCompleted)
                    {
                        if (!await tick || live.Clock.GetUtcNow() >= live.Expires)
                        {
                            return;
                        }

                        try
                        {
                            // The tree may have changed: the caller must still see the unit.
                            var tree = await live.Trees.GetAsync(scope.Tenant);
                            if (tree is null)
                            {
                                return;
                            }

                            scope = scope with { Tree = tree, ScopeUnit = scope.ScopeUnit is null ? null : tree.View.TryGetIndex(scope.Caller.Unit!, out var s) ? s : -1 };
                            if (scope.ScopeUnit == -1 || !tree.View.TryGetIndex(live.Unit, out var index) || !scope.MaySee(index))
                            {
                                return;
                            }

                            var now = await OwnLoadAsync(scope);
                            if (tree.View.Version != version || !now.SequenceEqual(seen))
                            {
                                var (load, _) = await live.Reader.ReadAsync(scope, index, live.Period, withChildren: true);
                                await WriteEventAsync(response, "load", load!, token);
                                (seen, version) = (now, tree.View.Version);
                            }

                            _failures = 0;
                        }
                        catch (Exception ex) when (ex is not OperationCanceledException && ++_failures < MaxFailedLooks)
                        {
                            // A silo is leaving or starting: look again at the next tick; the client keeps its last load.
                        }

                        if (live.Clock.GetUtcNow() - _lastWrite >= KeepAlive)
                        {
                            await WriteAsync(response, ": keep-alive\n\n", token);
                        }

                        tick = ticks.WaitForNextTickAsync(token).AsTask();
                    }
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                // The client went away or the gateway is stopping.
            }
        }

        /// <summary>The unit's own and subtree counters for the period, read against today (a <c>last7d</c> window moves at midnight).</summary>
        private async Task<long[]> OwnLoadAsync(TenantScope scope)
        {
            var today = Period.LocalDate(live.Clock.GetUtcNow(), scope.Tree.Zone);
            Period.TryParse(live.Period, today, out var range, out _);
            var load = await live.Grains.Reference<IUnitGrain>(GrainKeys.Unit(scope.Tenant, live.Unit)).GetLoad(range);
            return [.. load.Own, .. load.Subtree, range.From, range.To];
        }

        private Task WriteEventAsync<T>(HttpResponse response, string name, T body, CancellationToken token) =>
            WriteAsync(response, $"event: {name}\ndata: {JsonSerializer.Serialize(body, live.Json)}\n\n", token);

        private async Task WriteAsync(HttpResponse response, string text, CancellationToken token)
        {
            await response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), token);
            await response.Body.FlushAsync(token);
            _lastWrite = live.Clock.GetUtcNow();
        }
    }
}
