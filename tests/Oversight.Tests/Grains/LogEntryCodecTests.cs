using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.TestingHost;
using Oversight.Domain;
using Oversight.Governance;
using Oversight.Grains;
using Oversight.Grains.Log;

namespace Oversight.Tests.Grains;

[Collection(ClusterCollection.Name)]
public sealed class LogEntryCodecTests(ClusterFixture fixture)
{
    private static LogEntry RandomEntry(int seed)
    {
        var random = new Random(seed);
        var kinds = Enum.GetValues<EventKind>();
        string Unit() => $"unit-{random.Next(30)}";
        var events = Enumerable.Range(0, 200).Select(i =>
        {
            var kind = kinds[random.Next(kinds.Length)];
            return new LoggedEvent
            {
                Id = $"ev:{seed}/{i}-{random.Next()}",
                Kind = kind,
                Source = Unit(),
                Targets = [.. Enumerable.Range(0, random.Next(1, 8)).Select(_ => Unit()).Distinct()],
                Day = 739_000 + random.Next(800),
                OccurredAt = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.FromMinutes(random.Next(-12, 15) * 60)).AddTicks(random.NextInt64(TimeSpan.TicksPerDay * 700)),
                MeetingMinutes = kind == EventKind.Meeting ? random.Next(1, 600) : 0,
                InspectionDays = kind == EventKind.Inspection ? random.Next(1, 30) : 0,
                Formal = random.Next(2) == 0,
                Mode = random.Next(2) == 0 ? "inPerson" : "video",
                Planned = random.Next(3) != 0,
                DeadlineHours = kind == EventKind.DataRequest && random.Next(2) == 0 ? random.Next(1, 2000) / 10.0 : null,
                DataItems = kind == EventKind.DataRequest ? [.. Enumerable.Range(0, random.Next(0, 4)).Select(_ => $"报表-{random.Next(10)}")] : [],
                Channel = random.Next(2) == 0 ? "app" : "other",
                Category = random.Next(2) == 0 ? "approval" : "other",
                CausedBy = random.Next(4) == 0 ? $"ev:{seed}/{random.Next(i + 1)}" : null,
            };
        }).ToArray();
        return new LogEntry(random.NextInt64(1, long.MaxValue / 2), 740_000 + seed, events, new AlertSettings("Asia/Shanghai", 12.5, 45, 7));
    }

    private static void AssertSame(LogEntry expected, LogEntry actual)
    {
        Assert.Equal((expected.Position, expected.AcceptedDay, expected.Settings), (actual.Position, actual.AcceptedDay, actual.Settings));
        Assert.Equal(expected.Events.Length, actual.Events.Length);
        for (var i = 0; i < expected.Events.Length; i++)
        {
            var (e, a) = (expected.Events[i], actual.Events[i]);
            Assert.Equal(e.Targets, a.Targets);
            Assert.Equal(e.DataItems, a.DataItems);

            // Everything else compares as a record once the arrays are the same instances.
            Assert.Equal(e, a with { Targets = e.Targets, DataItems = e.DataItems });
            Assert.Equal(e.OccurredAt.Offset, a.OccurredAt.Offset);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void AnEntryReadsBackFieldForField(int seed)
    {
        var entry = RandomEntry(seed);
        var bytes = LedgerLog.Encode(entry);
        Assert.True(LogEntryCodec.Recognizes(bytes));
        AssertSame(entry, LogEntryCodec.Decode(bytes));
    }

    [Fact]
    public void EntriesLoggedInOrleansFormatStillReadBack()
    {
        var silo = Assert.IsType<InProcessSiloHandle>(fixture.Cluster.Primary);
        var log = silo.SiloHost!.Services.GetRequiredService<LedgerLog>();
        var serializer = silo.SiloHost.Services.GetRequiredService<Serializer<LogEntry>>();
        var entry = RandomEntry(3);
        var old = serializer.SerializeToArray(entry);
        Assert.False(LogEntryCodec.Recognizes(old));
        AssertSame(entry, log.Decode(old));
        AssertSame(entry, log.Decode(LedgerLog.Encode(entry)));
    }

    [Fact]
    public void AnEventBatchCrossesProcessesFieldForFieldAndIsPassedWithoutACopyInside()
    {
        var silo = Assert.IsType<InProcessSiloHandle>(fixture.Cluster.Primary);
        var services = silo.SiloHost!.Services;
        var entry = RandomEntry(4);
        EventBatch batch = entry.Events;

        var serializer = services.GetRequiredService<Serializer<EventBatch>>();
        var bytes = serializer.SerializeToArray(batch);
        var back = serializer.Deserialize(bytes)!;
        AssertSame(entry, entry with { Events = back.Events });

        // The compact form, not Orleans' general one (which writes each unit id once per batch
        // too, but with per-object framing and reference bookkeeping).
        var general = services.GetRequiredService<Serializer<LoggedEvent[]>>().SerializeToArray(entry.Events);
        Assert.True(bytes.Length < general.Length * 3 / 4, $"{bytes.Length} bytes against {general.Length}");

        // Inside a process a call passes the batch itself.
        Assert.Same(batch, services.GetRequiredService<DeepCopier<EventBatch>>().Copy(batch));

        // The same batch twice in one message is written once.
        var pair = services.GetRequiredService<Serializer<EventBatch[]>>().Deserialize(services.GetRequiredService<Serializer<EventBatch[]>>().SerializeToArray([batch, batch]))!;
        Assert.Same(pair[0], pair[1]);
        Assert.Equal(200, pair[0].Count);
    }

    [Fact]
    public void TheLogEntryLayoutIsUnchanged()
    {
        var entry = new LogEntry(7, 740_001, [new LoggedEvent
        {
            Id = "e1", Kind = EventKind.DataRequest, Source = "hq", Targets = ["a", "b"], Day = 740_000,
            OccurredAt = new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.FromHours(8)), DeadlineHours = 12.5, DataItems = ["x"], CausedBy = "e0",
        }], new AlertSettings("Asia/Shanghai", 24, 30, 5));

        // Written by the codec before the events' part moved to LoggedEventCodec: entries already in Redis must read back.
        Assert.Equal(Golden, Convert.ToHexString(LedgerLog.Encode(entry)));
        AssertSame(entry, LogEntryCodec.Decode(Convert.FromHexString(Golden)));
    }

    private const string Golden = "4F564C0107A1952D0D417369612F5368616E6768616900000000000038401E05060268710161016208696E506572736F6E0178056F74686572010265310300020102A0952D8093A9F1BBB59EEF08E00100000F03000000000000294001040505026530";
}
