using Oversight.Domain;

namespace Oversight.Grains.Units;

/// <summary>What a unit grain keeps across activations.</summary>
[GenerateSerializer, Alias("Oversight.UnitState")]
public sealed class UnitState
{
    /// <summary>The parent this unit reports its subtree to.</summary>
    [Id(0)] public string? Parent { get; set; }

    [Id(1)] public DayDelta Own { get; set; } = DayDelta.Empty;

    [Id(2)] public DayDelta Subtree { get; set; } = DayDelta.Empty;

    /// <summary>Changes not yet handed to each (current or former) parent.</summary>
    [Id(3)] public Dictionary<string, DayDelta> Outbox { get; set; } = new(StringComparer.Ordinal);
}
