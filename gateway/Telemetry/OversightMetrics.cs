using System.Diagnostics.Metrics;

namespace Oversight.Gateway.Telemetry;

/// <summary>The gateway's own instruments (meter <c>Oversight</c>). No tenant or unit labels: cardinality stays bounded.</summary>
public sealed class OversightMetrics
{
    public const string MeterName = "Oversight";

    private readonly Counter<long> _events;

    public OversightMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _events = meter.CreateCounter<long>("oversight.events", unit: "{event}", description: "Events posted, by outcome");
    }

    public void Ingested(int accepted, int duplicates, int rejected)
    {
        _events.Add(accepted, new KeyValuePair<string, object?>("outcome", "accepted"));
        _events.Add(duplicates, new KeyValuePair<string, object?>("outcome", "duplicate"));
        _events.Add(rejected, new KeyValuePair<string, object?>("outcome", "rejected"));
    }
}
