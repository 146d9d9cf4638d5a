using System.Collections.Concurrent;
using System.Threading.Channels;
using Oversight.Governance;
using Oversight.Grains;

namespace Oversight.Gateway.Api;

/// <summary>
/// New alerts pushed to this gateway's live streams: one observer per tenant with open streams,
/// subscribed to the tenant's alert grain and renewed every minute (the grain forgets an observer
/// after five), fanned out to each stream's channel. The last stream of a tenant to close ends the
/// subscription.
/// </summary>
public sealed class AlertFeed(IGrainFactory grains, ILogger<AlertFeed> logger) : IDisposable
{
    private readonly IGrainFactory _grains = grains;
    private readonly ILogger _logger = logger;

    /// <summary>How often a subscription is renewed.</summary>
    public static readonly TimeSpan RenewEvery = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, TenantFeed> _feeds = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>Starts receiving a tenant's new alerts; dispose the result to stop.</summary>
    public async Task<Subscription> SubscribeAsync(string tenant)
    {
        TenantFeed feed;
        var channel = Channel.CreateBounded<Alert[]>(new BoundedChannelOptions(1_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        lock (_gate)
        {
            feed = _feeds.GetOrAdd(tenant, t => new TenantFeed(t, this));
            feed.Readers.Add(channel.Writer);
        }

        await feed.Started;
        return new Subscription(channel.Reader, () => Leave(feed, channel.Writer));
    }

    private void Leave(TenantFeed feed, ChannelWriter<Alert[]> writer)
    {
        lock (_gate)
        {
            feed.Readers.Remove(writer);
            if (feed.Readers.Count > 0)
            {
                return;
            }

            _feeds.TryRemove(new KeyValuePair<string, TenantFeed>(feed.Tenant, feed));
        }

        feed.Stop();
    }

    public void Dispose()
    {
        foreach (var feed in _feeds.Values)
        {
            feed.Stop();
        }
    }

    /// <summary>A stream's view of the feed.</summary>
    public sealed class Subscription(ChannelReader<Alert[]> alerts, Action leave) : IDisposable
    {
        private int _left;

        /// <summary>The tenant's alerts raised since the subscription began.</summary>
        public ChannelReader<Alert[]> Alerts => alerts;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _left, 1) == 0)
            {
                leave();
            }
        }
    }

    private sealed class TenantFeed : IAlertObserver
    {
        private readonly AlertFeed _owner;
        private readonly IAlertObserver _reference;
        private readonly Timer _renew;

        public TenantFeed(string tenant, AlertFeed owner)
        {
            Tenant = tenant;
            _owner = owner;
            _reference = owner._grains.CreateObjectReference<IAlertObserver>(this);
            Started = SubscribeAsync();
            _renew = new Timer(_ => _ = SubscribeAsync(), null, RenewEvery, RenewEvery);
        }

        public string Tenant { get; }

        public List<ChannelWriter<Alert[]>> Readers { get; } = [];

        public Task Started { get; }

        public void OnAlerts(Alert[] alerts)
        {
            lock (_owner._gate)
            {
                foreach (var reader in Readers)
                {
                    reader.TryWrite(alerts);
                }
            }
        }

        public void Stop()
        {
            _renew.Dispose();
            _ = StopAsync();
        }

        private async Task SubscribeAsync()
        {
            try
            {
                await _owner._grains.Reference<IAlertsGrain>(Tenant).Subscribe(_reference);
            }
            catch (Exception ex)
            {
                // The next renewal tries again; the stream's load events go on meanwhile.
                _owner._logger.LogWarning(ex, "Subscribing to the alerts of tenant {Tenant} failed", Tenant);
            }
        }

        private async Task StopAsync()
        {
            try
            {
                await _owner._grains.Reference<IAlertsGrain>(Tenant).Unsubscribe(_reference);
            }
            catch (Exception ex)
            {
                _owner._logger.LogDebug(ex, "Unsubscribing from the alerts of tenant {Tenant} failed; the grain forgets the observer within five minutes", Tenant);
            }
            finally
            {
                _owner._grains.DeleteObjectReference<IAlertObserver>(_reference);
            }
        }
    }
}
