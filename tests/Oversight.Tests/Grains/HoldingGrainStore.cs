using System.Collections.Concurrent;
using Orleans.Storage;

namespace Oversight.Tests.Grains;

/// <summary>
/// The units' grain store of the test cluster: the real one, except that a test can hold the next
/// write of one grain until it lets it go, to see what the grain does meanwhile.
/// </summary>
public sealed class HoldingGrainStore(IGrainStorage inner) : IGrainStorage
{
    private static readonly ConcurrentDictionary<GrainId, WriteHold> Holds = new();

    /// <summary>Holds the next write of <paramref name="grain"/> (a test's own grain, so tests never share one).</summary>
    public static WriteHold HoldNextWrite(GrainId grain) => Holds[grain] = new WriteHold();

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ReadStateAsync(stateName, grainId, grainState);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (Holds.TryRemove(grainId, out var hold))
        {
            hold.Started.TrySetResult();
            await hold.Released.Task;
        }

        await inner.WriteStateAsync(stateName, grainId, grainState);
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ClearStateAsync(stateName, grainId, grainState);

    public sealed class WriteHold
    {
        /// <summary>Set when the held write begins.</summary>
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Set by the test to let the write go on.</summary>
        public TaskCompletionSource Released { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
