namespace Oversight.Grains.Ledger;

/// <summary>Accepted event ids as 128-bit hashes with the day they were first seen, column-wise.</summary>
[GenerateSerializer, Alias("Oversight.EventLedgerState")]
public sealed class EventLedgerState
{
    [Id(0)] public ulong[] High { get; set; } = [];

    [Id(1)] public ulong[] Low { get; set; } = [];

    [Id(2)] public int[] Day { get; set; } = [];
}
