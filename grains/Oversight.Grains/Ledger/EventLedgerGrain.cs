using System.IO.Hashing;
using System.Text;

namespace Oversight.Grains.Ledger;

/// <summary>
/// Remembers accepted event ids of one tenant shard. Ids are kept as 128-bit xxHash values
/// (16 bytes each, whatever the id's length; a collision needs ~2^64 ids) with the day they were
/// accepted, and forgotten after <see cref="RetentionDays"/>.
/// </summary>
public sealed class EventLedgerGrain(
    [PersistentState("ledger", StorageNames.Store)] IPersistentState<EventLedgerState> state,
    TimeProvider clock) : Grain, IEventLedgerGrain
{
    /// <summary>How long an id is remembered; the contract asks for at least 400 days.</summary>
    public const int RetentionDays = 410;

    private readonly Dictionary<UInt128, int> _seen = [];
    private int _lastSweepDay;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var s = state.State;
        _seen.EnsureCapacity(s.Day.Length);
        for (var i = 0; i < s.Day.Length; i++)
        {
            _seen[new UInt128(s.High[i], s.Low[i])] = s.Day[i];
        }

        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => SaveAsync();

    public Task<bool[]> Claim(string[] ids)
    {
        var today = Today();
        Sweep(today);
        var fresh = new bool[ids.Length];
        for (var i = 0; i < ids.Length; i++)
        {
            fresh[i] = _seen.TryAdd(Hash(ids[i]), today);
        }

        return Task.FromResult(fresh);
    }

    private void Sweep(int today)
    {
        if (today == _lastSweepDay)
        {
            return;
        }

        _lastSweepDay = today;
        foreach (var (hash, day) in _seen)
        {
            if (day < today - RetentionDays)
            {
                _seen.Remove(hash);
            }
        }
    }

    private Task SaveAsync()
    {
        var s = state.State;
        s.High = new ulong[_seen.Count];
        s.Low = new ulong[_seen.Count];
        s.Day = new int[_seen.Count];
        var i = 0;
        foreach (var (hash, day) in _seen)
        {
            s.High[i] = (ulong)(hash >> 64);
            s.Low[i] = (ulong)hash;
            s.Day[i] = day;
            i++;
        }

        return state.WriteStateAsync();
    }

    private int Today() => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime).DayNumber;

    private static UInt128 Hash(string id)
    {
        Span<byte> utf8 = stackalloc byte[512];
        var length = Encoding.UTF8.GetBytes(id, utf8);
        return XxHash128.HashToUInt128(utf8[..length]);
    }
}
