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
/// A tenant's alerts, kept in an append-only log (one append per call that raises something new)
/// and indexed by id in memory, so raising the same alert again, after a replay, a resent event or
/// a restart, changes nothing.
/// </summary>
public sealed class AlertsGrain(IEventLog log, Serializer<AlertBatch> serializer, ILogger<AlertsGrain> logger) : Grain, IAlertsGrain
{
    private readonly ObserverManager<IAlertObserver> _observers = new(TimeSpan.FromMinutes(5), logger);

    /// <summary>The log stream of a tenant's alerts, beside its ingest shards.</summary>
    public const int LogShard = 1_000;

    private readonly Dictionary<string, Alert> _alerts = new(StringComparer.Ordinal);
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

    public async Task Raise(Alert[] alerts)
    {
        var fresh = alerts.Where(a => !_alerts.ContainsKey(a.Id)).DistinctBy(a => a.Id).ToArray();
        if (fresh.Length == 0)
        {
            return;
        }

        var batch = new AlertBatch(_position + 1, fresh);
        try
        {
            await log.AppendAsync(this.GetPrimaryKeyString(), LogShard, batch.Position, serializer.SerializeToArray(batch));
        }
        catch
        {
            DeactivateOnIdle();
            throw;
        }

        _position = batch.Position;
        foreach (var alert in fresh)
        {
            _alerts[alert.Id] = alert;
        }

        _observers.Notify(o => o.OnAlerts(fresh));
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
