namespace Oversight.Grains.Ledger;

/// <summary>
/// Batches on their way into a durable log, written in order, one write at a time: each write
/// takes every batch that queued while the one before it was on its way (as far as
/// <c>joins</c> allows), so callers that arrive together share a write instead of waiting for
/// each other's. A batch's task completes once the write holding it is done. When a write fails,
/// its batches and every batch queued behind it fail with what <c>failed</c> makes of the error
/// (none is written after a write whose outcome is unknown), and so does every later
/// <see cref="Add"/>: the owner is expected to start over from the log.
/// </summary>
/// <remarks>Not thread-safe: meant for one grain activation, whose turns never overlap.</remarks>
/// <param name="write">Writes a group of batches (in order) as one; throws when the write failed or its outcome is unknown.</param>
/// <param name="joins">Whether a batch may join the group being formed (which holds at least one batch).</param>
/// <param name="failed">Told which batches failed (the group written and those queued behind it); returns the error their callers get.</param>
public sealed class CommitQueue<TBatch>(
    Func<IReadOnlyList<TBatch>, Task> write,
    Func<IReadOnlyList<TBatch>, TBatch, bool> joins,
    Func<IReadOnlyList<TBatch>, Exception, Exception> failed)
{
    private readonly Queue<(TBatch Batch, TaskCompletionSource Done)> _queued = new();
    private Task _writing = Task.CompletedTask;
    private Task _last = Task.CompletedTask;
    private Exception? _failure;

    /// <summary>True while a batch is queued or being written.</summary>
    public bool Busy => !_writing.IsCompleted;

    /// <summary>The error every batch gets since a write failed; null until then.</summary>
    public Exception? Failure => _failure;

    /// <summary>Completes once every batch added so far is written (faults if one of them failed).</summary>
    public Task Drained => _last;

    /// <summary>Queues a batch; the task completes once it is written.</summary>
    public Task Add(TBatch batch)
    {
        if (_failure is not null)
        {
            return Task.FromException(_failure);
        }

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _queued.Enqueue((batch, done));
        _last = done.Task;
        if (_writing.IsCompleted)
        {
            _writing = WriteAsync();
        }

        return done.Task;
    }

    private async Task WriteAsync()
    {
        while (_queued.Count > 0)
        {
            var group = new List<(TBatch Batch, TaskCompletionSource Done)> { _queued.Dequeue() };
            var batches = new List<TBatch> { group[0].Batch };
            while (_queued.TryPeek(out var next) && joins(batches, next.Batch))
            {
                group.Add(_queued.Dequeue());
                batches.Add(next.Batch);
            }

            try
            {
                await write(batches);
            }
            catch (Exception ex)
            {
                group.AddRange(_queued);
                _queued.Clear();
                _failure = failed([.. group.Select(g => g.Batch)], ex);
                foreach (var (_, done) in group)
                {
                    done.TrySetException(_failure);
                }

                return;
            }

            foreach (var (_, done) in group)
            {
                done.TrySetResult();
            }
        }
    }
}
