using System.Buffers;
using System.Collections.Concurrent;
using Orleans.Serialization;
using Orleans.Storage;

namespace Oversight.Grains.Storage;

/// <summary>
/// Grain state in this process's memory, for the embedded default (one silo; nothing survives a
/// restart). Orleans' memory storage keeps state in storage grains so that several silos of a test
/// cluster can share it: a grain call, with its copies, for every read and write, which on a tree
/// of 100,000 units was two calls per unit activation on top of its checkpoints. One silo needs no
/// such hop. States are kept serialized (Orleans' binary format, as its storage serializer writes
/// it), as a real store would keep them, so a grain never shares an object with its stored copy;
/// etags are checked as Orleans' stores check them.
/// </summary>
public sealed class LocalGrainStore(Serializer serializer) : IGrainStorage
{
    /// <summary>
    /// Each thread's buffer to serialize into, kept at its largest. Orleans' storage serializer
    /// writes into a new buffer that doubles from 256 bytes and answers with the whole of it: every
    /// checkpoint left the steps of its growth behind, and the store kept an array up to twice
    /// what was written for as long as the process lived.
    /// </summary>
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

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
        var next = new Stored(Serialize(grainState.State), Interlocked.Increment(ref _etags).ToString(System.Globalization.CultureInfo.InvariantCulture));
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

    /// <summary>The state's bytes, in an array of their own length.</summary>
    private byte[] Serialize<T>(T state)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        serializer.Serialize(state, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    private sealed record Stored(byte[] Data, string ETag);
}
