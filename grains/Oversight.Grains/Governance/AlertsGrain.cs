using Microsoft.Extensions.Logging;
using Orleans.Serialization;
using Orleans.Utilities;
using Oversight.Governance;
using Oversight.Grains.Log;

namespace Oversight.Grains.Governance;

/// <summary>One append of new alerts to a tenant's alert log.</summary>
[GenerateSerializer, Immutable, Alias("Oversight.AlertBatch")]
public sealed record AlertBatch([property: Id(0)] long Position, [property: Id(1)] Alert[] Alerts);

/// <summary>
/// A tenant's alerts, kept in an append-only log and indexed by id in memory, so raising the same
/// alert again, after a replay, a resent event or a restart, changes nothing. Writes are group
/// commits: every alert raised while one append is in flight goes into the next, and each caller
/// is answered when the append holding its alerts is durable (hundreds of units raising in one
/// delivery round cost one append, not one each).
/// </summary>
[Orleans.Placement.Immovable]
public sealed class AlertsGrain(IEventLog log, Serializer<AlertBatch> serializer, ILogger<AlertsGrain> logger) : Grain, IAlertsGrain
{
    private readonly ObserverManager<IAlertObserver> _observers = new(TimeSpan.FromMinutes(5), logger);

    /// <summary>The log stream of a tenant's alerts, beside its ingest shards.</summary>
    public const int LogShard = 1_000;

    private readonly Dictionary<string, Alert> _alerts = new(StringComparer.Ordinal);
    private readonly HashSet<string> _queuedIds = new(StringComparer.Ordinal);
    private List<Alert> _queue = [];
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _nextAwaited;
    private Task _writing = Task.CompletedTask;
    private long _position;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await foreach (var bytes in log.ReadAllAsync(this.GetPrimaryKeyString(), LogShard).WithCancellation(cancellationToken))
        {
            var batch = serializer.Deserialize(bytes)!;
            _position = Math.Max(_position, batch.Position);
            foreach (var alert in batch.Alerts)
            {
                _alerts.TryAdd(alert.Id, alert);
            }
        }
    }

    public Task Raise(Alert[] alerts)
    {
        var pending = false;
        foreach (var alert in alerts)
        {
            if (_alerts.ContainsKey(alert.Id))
            {
                continue;
            }

            // New, or already on its way in an append: either way durable with the next one.
            pending = true;
            if (_queuedIds.Add(alert.Id))
            {
                _queue.Add(alert);
            }
        }

        if (!pending)
        {
            return Task.CompletedTask;
        }

        _nextAwaited = true;
        var durable = _next.Task;
        if (_writing.IsCompleted)
        {
            _writing = WriteAsync();
        }

        return durable;
    }

    /// <summary>Appends what is queued, one append at a time, until nobody waits.</summary>
    private async Task WriteAsync()
    {
        while (_nextAwaited)
        {
            var fresh = _queue;
            var done = _next;
            _queue = [];
            _next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _nextAwaited = false;
            try
            {
                if (fresh.Count > 0)
                {
                    var batch = new AlertBatch(_position + 1, [.. fresh]);
                    await log.AppendAsync(this.GetPrimaryKeyString(), LogShard, batch.Position, serializer.SerializeToArray(batch));
                    _position = batch.Position;
                    foreach (var alert in fresh)
                    {
                        _alerts[alert.Id] = alert;
                        _queuedIds.Remove(alert.Id);
                    }

                    _observers.Notify(o => o.OnAlerts(batch.Alerts));
                }

                done.SetResult();
            }
            catch (Exception ex)
            {
                // The log may hold the append or not: start again from the log. Every caller
                // still waiting learns of the failure and raises again.
                DeactivateOnIdle();
                done.SetException(ex);
                if (_nextAwaited)
                {
                    _next.SetException(ex);
                }

                _queue.Clear();
                _queuedIds.Clear();
                _nextAwaited = false;
                _next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                return;
            }
        }
    }

    public Task Subscribe(IAlertObserver observer)
    {
        _observers.Subscribe(observer, observer);
        return Task.CompletedTask;
    }

    public Task Unsubscribe(IAlertObserver observer)
    {
        _observers.Unsubscribe(observer);
        return Task.CompletedTask;
    }

    public Task<Alert[]> List(DateTimeOffset? since, string? type) => Task.FromResult(_alerts.Values
        .Where(a => (since is null || a.RaisedAt >= since) && (type is null || a.Type == type))
        .OrderByDescending(a => a.RaisedAt)
        .ThenBy(a => a.Id, StringComparer.Ordinal)
        .ToArray());
}
