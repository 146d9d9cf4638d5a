using Orleans.Concurrency;
using Oversight.Governance;

namespace Oversight.Grains;

/// <summary>A tenant's cascade index (key: tenant id): <c>causedBy</c> links and amplification alerts.</summary>
public interface ICascadeGrain : IGrainWithStringKey
{
    /// <summary>Adds accepted events and raises <c>cascadeAmplification</c> where a directive now amplifies.</summary>
    Task Record(LoggedEvent[] events, AlertSettings settings);

    /// <summary>The cascade an event belongs to, layer by layer from its root; null when the event is unknown.</summary>
    [ReadOnly]
    Task<CascadeView?> Get(string eventId);
}

/// <summary>A cascade from its root, with the asked event's own units (for the caller's scope check).</summary>
[GenerateSerializer, Immutable, Alias("Oversight.CascadeView")]
public sealed record CascadeView(
    [property: Id(0)] string Root,
    [property: Id(1)] CascadeLayer[] Layers,
    [property: Id(2)] int TotalEvents,
    [property: Id(3)] string EventSource,
    [property: Id(4)] string[] EventTargets);
