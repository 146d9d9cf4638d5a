using Oversight.Domain;

namespace Oversight.Grains.Units;

/// <summary>
/// A unit's checkpoint. Subtree totals are not kept: they are the unit's own plus what its
/// children report, and a unit pulls its children's totals when it activates.
/// </summary>
[GenerateSerializer, Alias("Oversight.UnitState")]
public sealed class UnitState
{
    /// <summary>The parent this unit reports its subtree to.</summary>
    [Id(0)] public string? Parent { get; set; }

    /// <summary>Own counters by day (as checkpoints before the compact form wrote them; empty since).</summary>
    [Id(1)] public DayDelta Own { get; set; } = DayDelta.Empty;

    /// <summary>Per ledger shard, the last log position included in the own counters (<see cref="OwnBlob"/>, or <see cref="Own"/> in an older checkpoint).</summary>
    [Id(2)] public Dictionary<int, long> Applied { get; set; } = [];

    /// <summary>The last report version used.</summary>
    [Id(3)] public long Version { get; set; }

    /// <summary>Former parents that have not yet acknowledged this unit's departure, with the detach version.</summary>
    [Id(4)] public Dictionary<string, long> Detaching { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Caps on what this unit issues.</summary>
    [Id(5)] public Oversight.Governance.Quotas Quotas { get; set; } = Oversight.Governance.Quotas.None;

    /// <summary>Data items this unit was asked for (as checkpoints before the compact form wrote them).</summary>
    [Id(6)] public Oversight.Governance.DataRequest[] Requests { get; set; } = [];

    /// <summary>Data items this unit was asked for, inside the horizon (<see cref="Oversight.Governance.DataRequestCodec"/>).</summary>
    [Id(7)] public byte[] RequestBlob { get; set; } = [];

    /// <summary>Own counters by day in the compact form (<see cref="DayCountersCodec"/>).</summary>
    [Id(8)] public byte[] OwnBlob { get; set; } = [];
}
