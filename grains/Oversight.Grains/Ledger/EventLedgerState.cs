namespace Oversight.Grains.Ledger;

/// <summary>What a ledger shard keeps besides its log: how far every unit has made the log durable.</summary>
[GenerateSerializer, Alias("Oversight.EventLedgerState")]
public sealed class EventLedgerState
{
    /// <summary>Every entry at or below this position is durable in all the units it touches.</summary>
    [Id(0)] public long Watermark { get; set; }
}
