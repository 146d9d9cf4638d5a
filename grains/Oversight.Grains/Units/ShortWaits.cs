namespace Oversight.Grains.Units;

/// <summary>
/// The short waits of many units at once (a unit waiting out its report interval), woken by one
/// timer per silo at <see cref="Resolution"/> instead of one .NET timer per wait. .NET's timer
/// queue walks the timers due within a third of a second each time one fires, and all of them
/// three times a second. The measured cost was the units' checkpoint timers (see
/// <see cref="UnitTicks"/>); moving these waits alone showed no change in a <c>perf</c> sample of
/// shape L; they are kept here because they cost nothing measurable and keep the queue short. A wait ends
/// at most one resolution late.
/// </summary>
public sealed class ShortWaits : IDisposable
{
    /// <summary>How finely wake-ups are kept apart.</summary>
    public static readonly TimeSpan Resolution = TimeSpan.FromMilliseconds(10);

    private const long ResolutionMs = 10;
    private readonly Lock _gate = new();
    private readonly Dictionary<long, TaskCompletionSource> _due = [];
    private readonly Timer _timer;
    private long _fired;
    private bool _running;

    public ShortWaits()
    {
        _timer = new Timer(_ => Fire(), null, Timeout.Infinite, Timeout.Infinite);
        _fired = Environment.TickCount64 / ResolutionMs;
    }

    /// <summary>Completes once <paramref name="wait"/> has passed (rounded up to the resolution).</summary>
    public Task Delay(TimeSpan wait)
    {
        if (wait <= TimeSpan.Zero)
        {
            return Task.CompletedTask;
        }

        var now = Environment.TickCount64;
        var slot = (now + (long)Math.Ceiling(wait.TotalMilliseconds) + ResolutionMs - 1) / ResolutionMs;
        lock (_gate)
        {
            if (!_running)
            {
                // Nothing is waiting: the slots since the timer stopped need no visit.
                _fired = Math.Max(_fired, now / ResolutionMs);
            }

            if (!_due.TryGetValue(slot, out var due))
            {
                _due[slot] = due = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            if (!_running)
            {
                _running = true;
                _timer.Change(ResolutionMs, ResolutionMs);
            }

            return due.Task;
        }
    }

    private void Fire()
    {
        var now = Environment.TickCount64 / ResolutionMs;
        List<TaskCompletionSource>? done = null;
        lock (_gate)
        {
            for (; _fired < now; _fired++)
            {
                if (_due.Remove(_fired + 1, out var due))
                {
                    (done ??= []).Add(due);
                }
            }

            if (_due.Count == 0 && _running)
            {
                _running = false;
                _timer.Change(Timeout.Infinite, Timeout.Infinite);
            }
        }

        foreach (var due in done ?? [])
        {
            due.SetResult();
        }
    }

    public void Dispose() => _timer.Dispose();
}
