using Orleans.Concurrency;
using Oversight.Governance;

namespace Oversight.Grains;

/// <summary>A tenant's alerts (key: tenant id): durable, each id raised once.</summary>
public interface IAlertsGrain : IGrainWithStringKey
{
    /// <summary>
    /// Records alerts; an id already raised is ignored. Durable when this returns. Interleaved:
    /// callers arriving while a write is in flight share the next one (group commit).
    /// </summary>
    [AlwaysInterleave]
    Task Raise(Alert[] alerts);

    /// <summary>Subscribes (or renews) an observer for new alerts; renew within five minutes to keep it.</summary>
    Task Subscribe(IAlertObserver observer);

    /// <summary>Ends a subscription.</summary>
    Task Unsubscribe(IAlertObserver observer);

    /// <summary>Alerts raised at or after <paramref name="since"/>, of one type if given, newest first.</summary>
    [ReadOnly]
    Task<Alert[]> List(DateTimeOffset? since, string? type);
}
