using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Orleans.Storage;

namespace Oversight.Grains.Storage;

/// <summary>
/// Grain state in this process's memory, for the embedded default (one silo; nothing survives a
/// restart). Orleans' memory storage keeps state in storage grains so that several silos of a test
/// cluster can share it: a grain call, with its copies, for every read and write, which on a tree
/// of 100,000 units was two calls per unit activation on top of its checkpoints. One silo needs no
/// such hop. States are kept serialized, as a real store would keep them, so a grain never shares
/// an object with its stored copy; etags are checked as Orleans' stores check them.
/// </summary>
public sealed class LocalGrainStore(IGrainStorageSerializer serializer) : IGrainStorage
{
    private readonly ConcurrentDictionary<(string, GrainId), Stored> _states = new();
    private long _etags;

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (_states.TryGetValue((stateName, grainId), out var stored))
        {
            grainState.State = serializer.Deserialize<T>(stored.Data);
            grainState.ETag = stored.ETag;
            grainState.RecordExists = true;
        }
        else
        {
            grainState.State = Activator.CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
        }

        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = (stateName, grainId);
        var next = new Stored(Exact(serializer.Serialize(grainState.State)), Interlocked.Increment(ref _etags).ToString(System.Globalization.CultureInfo.InvariantCulture));
        var written = grainState.ETag is null
            ? _states.TryAdd(key, next)
            : _states.TryGetValue(key, out var held) && held.ETag == grainState.ETag && _states.TryUpdate(key, next, held);
        if (!written)
        {
            return Task.FromException(new InconsistentStateException($"Version conflict writing {stateName} of {grainId}: the etag held is not {grainState.ETag ?? "(none)"}; another activation wrote it."));
        }

        grainState.ETag = next.ETag;
        grainState.RecordExists = true;
        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = (stateName, grainId);
        if (grainState.ETag is not null
            && !(_states.TryGetValue(key, out var held) && held.ETag == grainState.ETag && _states.TryRemove(new KeyValuePair<(string, GrainId), Stored>(key, held))))
        {
            return Task.FromException(new InconsistentStateException($"Version conflict clearing {stateName} of {grainId}: the etag held is not {grainState.ETag}."));
        }

        grainState.State = Activator.CreateInstance<T>();
        grainState.ETag = null;
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }

    /// <summary>
    /// The bytes written, in an array of their own length. Orleans' storage serializer answers
    /// with what its growing buffer holds (it doubles from 256 bytes), so the array behind a
    /// unit's checkpoint was up to twice what was written, and the store keeps it for as long as
    /// the process lives.
    /// </summary>
    private static BinaryData Exact(BinaryData data) =>
        MemoryMarshal.TryGetArray(data.ToMemory(), out var bytes) && bytes.Count == bytes.Array!.Length
            ? data
            : new BinaryData(data.ToArray());

    private sealed record Stored(BinaryData Data, string ETag);
}
