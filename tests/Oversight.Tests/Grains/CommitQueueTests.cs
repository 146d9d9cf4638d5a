using Oversight.Grains.Ledger;

namespace Oversight.Tests.Grains;

/// <summary>
/// The ledger's queue of batches on their way into the log. Driven by hand: each write is a task
/// the test completes, and with no synchronization context the queue continues inline, so every
/// step is deterministic.
/// </summary>
public sealed class CommitQueueTests
{
    private readonly List<(string[] Batches, TaskCompletionSource Done)> _writes = [];
    private readonly List<string[]> _failed = [];

    private CommitQueue<string> Queue(int perWrite)
    {
        SynchronizationContext.SetSynchronizationContext(null);
        return new CommitQueue<string>(
            batches =>
            {
                var done = new TaskCompletionSource();
                _writes.Add(([.. batches], done));
                return done.Task;
            },
            (group, _) => group.Count < perWrite,
            (batches, error) =>
            {
                _failed.Add([.. batches]);
                return new InvalidOperationException("not durable", error);
            });
    }

    [Fact]
    public void BatchesQueuedWhileAWriteIsOnItsWayShareTheNextWriteInOrder()
    {
        var queue = Queue(perWrite: 3);
        var a = queue.Add("a");
        Assert.True(queue.Busy);
        Assert.Equal(["a"], Assert.Single(_writes).Batches);

        var rest = new[] { "b", "c", "d", "e" }.Select(queue.Add).ToArray();
        Assert.Single(_writes);
        Assert.False(a.IsCompleted);

        _writes[0].Done.SetResult();
        Assert.True(a.IsCompletedSuccessfully);
        Assert.All(rest, t => Assert.False(t.IsCompleted));
        Assert.Equal(["b", "c", "d"], _writes[1].Batches);

        _writes[1].Done.SetResult();
        Assert.All(rest[..3], t => Assert.True(t.IsCompletedSuccessfully));
        Assert.False(rest[3].IsCompleted);
        Assert.False(queue.Drained.IsCompleted);
        Assert.Equal(["e"], _writes[2].Batches);

        _writes[2].Done.SetResult();
        Assert.True(rest[3].IsCompletedSuccessfully);
        Assert.True(queue.Drained.IsCompletedSuccessfully);
        Assert.False(queue.Busy);

        // Idle again: the next batch is written at once, alone.
        var f = queue.Add("f");
        Assert.Equal(4, _writes.Count);
        Assert.Equal(["f"], _writes[3].Batches);
        _writes[3].Done.SetResult();
        Assert.True(f.IsCompletedSuccessfully);
        Assert.Empty(_failed);
    }

    [Fact]
    public async Task AFailedWriteFailsItsBatchesEveryBatchBehindItAndEveryLaterOne()
    {
        var queue = Queue(perWrite: 1);
        var a = queue.Add("a");
        var b = queue.Add("b");
        var c = queue.Add("c");
        var io = new IOException("connection lost");
        _writes[0].Done.SetException(io);

        // Nothing is written after a write whose outcome is unknown.
        Assert.Single(_writes);
        Assert.Equal(["a", "b", "c"], Assert.Single(_failed));
        foreach (var task in new[] { a, b, c, queue.Drained })
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => task);
            Assert.Same(io, error.InnerException);
        }

        Assert.False(queue.Busy);
        Assert.Same(queue.Failure, await Assert.ThrowsAsync<InvalidOperationException>(() => queue.Add("d")));
        Assert.Single(_writes);
    }
}
