using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Oversight.Grains;

/// <summary>
/// Grain references by string key without Orleans' per-call interface lookup:
/// <c>IGrainFactory.GetGrain&lt;T&gt;(string)</c> resolves the interface's grain interface type
/// through its attribute providers (reflection) on every call, which a profile of a cold shape-L
/// ingest put at 3.5% of the process's CPU (each of 111,111 activating units makes references to
/// its tenant, parent and ledger shards). The grain type and interface type of each interface
/// are resolved once per factory here; the reference is then made from its <see cref="GrainId"/>.
/// </summary>
public static class GrainReferences
{
    private static readonly ConditionalWeakTable<IGrainFactory, ConcurrentDictionary<Type, (GrainType Grain, GrainInterfaceType Interface)>> Resolved = new();

    /// <summary>The grain of interface <typeparamref name="T"/> with the given key: the same reference <c>GetGrain&lt;T&gt;(key)</c> makes.</summary>
    public static T Reference<T>(this IGrainFactory factory, string key)
        where T : IGrainWithStringKey
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        var types = Resolved.GetValue(factory, _ => new()).GetOrAdd(typeof(T), static (_, f) => Resolve<T>(f), factory);
        return (T)factory.GetGrain(GrainId.Create(types.Grain, key), types.Interface);
    }

    private static (GrainType, GrainInterfaceType) Resolve<T>(IGrainFactory factory)
        where T : IGrainWithStringKey
    {
        var reference = (GrainReference)(object)factory.GetGrain<T>("resolve");
        return (reference.GrainId.Type, reference.InterfaceType);
    }
}
