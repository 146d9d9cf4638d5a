using System.Diagnostics.Metrics;

namespace Oversight.Gateway.Telemetry;

/// <summary>The gateway's own instruments (meter <c>Oversight</c>). No tenant or unit labels: cardinality stays bounded.</summary>
public sealed class OversightMetrics
{
    public const string MeterName = "Oversight";

    private readonly Counter<long> _events;
    private readonly Counter<long> _uncounted;

    public OversightMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _events = meter.CreateCounter<long>("oversight.events", unit: "{event}", description: "Events posted, by outcome");
        _uncounted = meter.CreateCounter<long>("oversight.events.acknowledged_before_counted", unit: "{event}", description: "Events acknowledged (durable) before their units had counted them, because counting took longer than the ingest answer waits");
    }

    /// <summary>Events acknowledged while still on their way to their units' counters.</summary>
    public void AnsweredBeforeCounted(int events) => _uncounted.Add(events);

    public void Ingested(int accepted, int duplicates, int rejected)
    {
        _events.Add(accepted, new KeyValuePair<string, object?>("outcome", "accepted"));
        _events.Add(duplicates, new KeyValuePair<string, object?>("outcome", "duplicate"));
        _events.Add(rejected, new KeyValuePair<string, object?>("outcome", "rejected"));
    }
}
