using Oversight.Domain;

namespace Oversight.Grains.Tenants;

/// <summary>A group's settings and tree; the one authority every scope check is made against.</summary>
[Orleans.Placement.Immovable]
public sealed class TenantGrain(
    [PersistentState("tenant", StorageNames.Store)] IPersistentState<TenantState> state,
    IGrainFactory grains) : Grain, ITenantGrain
{
    private TreeSnapshot? _snapshot;
    private Dictionary<string, string[]>? _children;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Every request activates this grain first: after a restart, that wakes the tenant's
        // reports, whose grain watches due times only while active, and its ledger shards, whose
        // activation replays entries acknowledged but not yet durable in their units (were the
        // silos killed before a round reached any unit, no unit would ever ask for them). Not
        // awaited, so the activations cannot wait on each other.
        if (state.State.Exists)
        {
            var tenant = this.GetPrimaryKeyString();
            grains.Reference<IReportsGrain>(tenant).RaiseOverdue().Ignore();
            for (var shard = 0; shard < IEventLedgerGrain.Shards; shard++)
            {
                grains.Reference<IEventLedgerGrain>(GrainKeys.LedgerShard(tenant, shard)).Wake().Ignore();
            }
        }

        return Task.CompletedTask;
    }

    public async Task<TenantUpsertResult> Upsert(string name, string timeZone, AlertThresholds? thresholds = null)
    {
        var s = state.State;
        var created = !s.Exists;
        if (!created && s.HasEvents && !string.Equals(s.TimeZone, timeZone, StringComparison.Ordinal))
        {
            return TenantUpsertResult.TimeZoneLocked;
        }

        s.Exists = true;
        s.Name = name;
        s.TimeZone = timeZone;
        s.ShortDeadlineHours = thresholds?.ShortDeadlineHours ?? s.ShortDeadlineHours;
        s.DuplicateWindowDays = thresholds?.DuplicateWindowDays ?? s.DuplicateWindowDays;
        s.CascadeLimit = thresholds?.CascadeLimit ?? s.CascadeLimit;
        s.ReportDueDays = thresholds?.ReportDueDays ?? s.ReportDueDays;
        s.Version++;
        _snapshot = null;
        await state.WriteStateAsync();
        if (created)
        {
            await grains.Reference<ITenantDirectoryGrain>(ITenantDirectoryGrain.Key).Register(this.GetPrimaryKeyString());
        }

        return created ? TenantUpsertResult.Created : TenantUpsertResult.Updated;
    }

    public Task<TenantInfo?> GetInfo() => Task.FromResult(state.State.Exists ? Info() : null);

    public Task<long> GetTreeVersion() => Task.FromResult(state.State.Exists ? state.State.Version : -1L);

    public Task<TreeSnapshot?> GetTreeIfChanged(long knownVersion)
    {
        var s = state.State;
        if (!s.Exists || s.Version == knownVersion)
        {
            return Task.FromResult<TreeSnapshot?>(null);
        }

        _snapshot ??= new TreeSnapshot(Info(), s.Version, [.. s.Units.Values], s.HasEvents);
        return Task.FromResult<TreeSnapshot?>(_snapshot);
    }

    public Task<UnitPlace> GetPlaceOf(string unit) =>
        Task.FromResult(new UnitPlace(state.State.Units.TryGetValue(unit, out var u) ? u.ParentId : null, ChildrenOf(unit)));

    public Task<string[]> GetChildrenOf(string unit) => Task.FromResult(ChildrenOf(unit));

    private string[] ChildrenOf(string unit)
    {
        _children ??= state.State.Units.Values
            .Where(u => u.ParentId is not null)
            .GroupBy(u => u.ParentId!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(u => u.Id).Order(StringComparer.Ordinal).ToArray(), StringComparer.Ordinal);
        return _children.GetValueOrDefault(unit, []);
    }

    public async Task<TreeChange> UpsertUnits(UnitRecord[] batch, string? scopeUnit)
    {
        var s = state.State;
        var next = new Dictionary<string, UnitRecord>(s.Units, StringComparer.Ordinal);
        var change = UnitTreeRules.Apply(next, batch, scopeUnit);
        if (change.Status != TreeChangeStatus.Applied)
        {
            return change;
        }

        var previous = s.Units;
        s.Units = next;
        s.Version++;
        _snapshot = null;
        _children = null;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            s.Units = previous;
            _children = null;
            throw;
        }

        // Moved units hand their whole subtree from the old ancestors to the new. New units
        // learn their parent from this grain when they first activate.
        var tenant = this.GetPrimaryKeyString();
        await Task.WhenAll(change.Moved.Select(id =>
            grains.Reference<IUnitGrain>(GrainKeys.Unit(tenant, id)).SetParent(next[id].ParentId)));
        return change;
    }

    public async Task MarkHasEvents()
    {
        if (!state.State.HasEvents)
        {
            state.State.HasEvents = true;
            state.State.Version++;
            _snapshot = null;
            await state.WriteStateAsync();
        }
    }

    private TenantInfo Info()
    {
        var s = state.State;
        return new(this.GetPrimaryKeyString(), s.Name, s.TimeZone, s.Units.Count,
            new Oversight.Governance.AlertSettings(s.TimeZone, s.ShortDeadlineHours, s.DuplicateWindowDays, s.CascadeLimit,
                s.ReportDueDays > 0 ? s.ReportDueDays : Oversight.Governance.AlertSettings.DefaultReportDueDays));
    }
}
