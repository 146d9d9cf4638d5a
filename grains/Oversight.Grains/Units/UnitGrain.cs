using Microsoft.Extensions.Logging;
using Oversight.Domain;

namespace Oversight.Grains.Units;

/// <summary>
/// A unit's live counters. Roll-up is by delta propagation: every change to the subtree is
/// queued for the parent and sent as one combined delta, at most one call in flight and at most
/// one call per <see cref="MinSendInterval"/>; the parent does the same. No request ever awaits
/// the chain of ancestors, fan-in stays bounded, and all changes are additive, so they may arrive
/// in any order.
/// </summary>
public sealed partial class UnitGrain(
    [PersistentState("unit", StorageNames.Store)] IPersistentState<UnitState> state,
    IGrainFactory grains,
    ILogger<UnitGrain> logger) : Grain, IUnitGrain
{
    /// <summary>Batching window for deltas sent up: bounds calls to a parent at 40/s per child.</summary>
    public static readonly TimeSpan MinSendInterval = TimeSpan.FromMilliseconds(25);

    private readonly PeriodCounters _own = new();
    private readonly PeriodCounters _subtree = new();
    private readonly Dictionary<string, DayDeltaBuilder> _outbox = new(StringComparer.Ordinal);
    private string _tenant = "";
    private string _unit = "";
    private string? _parent;
    private Task _sending = Task.CompletedTask;
    private long _lastSend;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (_tenant, _unit) = GrainKeys.Split(this.GetPrimaryKeyString());
        if (state.RecordExists)
        {
            var s = state.State;
            _parent = s.Parent;
            _own.Add(s.Own);
            _subtree.Add(s.Subtree);
            foreach (var (parent, delta) in s.Outbox)
            {
                Outbox(parent).Add(delta);
            }

            StartSending();
        }
        else
        {
            _parent = await grains.GetGrain<ITenantGrain>(_tenant).GetParentOf(_unit);
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        try
        {
            await _sending.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Unsent changes stay in the outbox and are saved below.
        }

        await SaveAsync();
    }

    public Task Apply(DayDelta own)
    {
        _own.Add(own);
        AddToSubtree(own);
        return Task.CompletedTask;
    }

    public Task ApplyChildDelta(DayDelta delta)
    {
        AddToSubtree(delta);
        return Task.CompletedTask;
    }

    public async Task SetParent(string? parent)
    {
        if (string.Equals(parent, _parent, StringComparison.Ordinal))
        {
            return;
        }

        // The old parent has been sent (or will be sent, from the outbox) everything this subtree
        // holds; taking the whole subtree back leaves it with nothing of ours. The new parent gets
        // the whole subtree, history included.
        var whole = _subtree.ToDelta();
        if (_parent is not null)
        {
            Outbox(_parent).Add(whole, negate: true);
        }

        _parent = parent;
        if (_parent is not null)
        {
            Outbox(_parent).Add(whole);
        }

        await SaveAsync();
        StartSending();
    }

    public Task<UnitLoad> GetLoad(PeriodRange range) => Task.FromResult(new UnitLoad(_own.Sum(range), _subtree.Sum(range)));

    public Task<long[][]> GetSubtreeSeries(PeriodRange range)
    {
        var series = new long[range.Length][];
        for (var i = 0; i < series.Length; i++)
        {
            series[i] = _subtree.Sum(range with { From = range.From + i, To = range.From + i });
        }

        return Task.FromResult(series);
    }

    public async Task<bool> Flush()
    {
        var pending = _outbox.Count > 0 || !_sending.IsCompleted;
        while (_outbox.Count > 0 || !_sending.IsCompleted)
        {
            StartSending();
            await _sending;
        }

        return pending;
    }

    private void AddToSubtree(DayDelta delta)
    {
        _subtree.Add(delta);
        if (_parent is not null)
        {
            Outbox(_parent).Add(delta);
            StartSending();
        }
    }

    private DayDeltaBuilder Outbox(string parent)
    {
        if (!_outbox.TryGetValue(parent, out var builder))
        {
            _outbox[parent] = builder = new DayDeltaBuilder();
        }

        return builder;
    }

    private void StartSending()
    {
        if (_sending.IsCompleted && _outbox.Count > 0)
        {
            _sending = SendAsync();
        }
    }

    private async Task SendAsync()
    {
        var failures = 0;
        while (_outbox.Count > 0)
        {
            var wait = TimeSpan.FromTicks(_lastSend + MinSendInterval.Ticks - DateTime.UtcNow.Ticks);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }
            else
            {
                // Let the current turn finish so changes arriving with it join this delta.
                await Task.Yield();
            }

            var (parent, builder) = _outbox.First();
            _outbox.Remove(parent);
            var delta = builder.Build();
            if (delta.IsEmpty)
            {
                continue;
            }

            _lastSend = DateTime.UtcNow.Ticks;
            try
            {
                await grains.GetGrain<IUnitGrain>(GrainKeys.Unit(_tenant, parent)).ApplyChildDelta(delta);
                failures = 0;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Keep the change and try again: a delta is only dropped once the parent has it.
                Outbox(parent).Add(delta);
                failures++;
                LogSendFailed(logger, ex, _tenant, _unit, failures);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5_000, 50 * (1 << Math.Min(failures, 7)))));
            }
        }
    }

    private Task SaveAsync()
    {
        var s = state.State;
        s.Parent = _parent;
        s.Own = _own.ToDelta();
        s.Subtree = _subtree.ToDelta();
        s.Outbox = _outbox.ToDictionary(p => p.Key, p => p.Value.Build(), StringComparer.Ordinal);
        foreach (var (parent, delta) in s.Outbox)
        {
            Outbox(parent).Add(delta);
        }

        return state.WriteStateAsync();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Unit {Tenant}/{Unit} could not hand its delta to its parent (attempt {Attempt}); retrying")]
    private static partial void LogSendFailed(ILogger logger, Exception ex, string tenant, string unit, int attempt);
}
