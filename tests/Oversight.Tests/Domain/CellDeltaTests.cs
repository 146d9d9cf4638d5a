using Oversight.Domain;

namespace Oversight.Tests.Domain;

public sealed class CellDeltaTests
{
    private static readonly int Day = new DateOnly(2026, 11, 30).DayNumber;

    [Theory]
    [InlineData(0, 0, 0)]
    [InlineData(1, LoadCounters.Width - 1, 1)]
    [InlineData(3_652_058, 7, 1_440)]
    public void ACellKeepsItsDaySlotAndAmount(int day, int slot, int amount)
    {
        var cell = CellDelta.Pack(day, slot, amount);
        Assert.Equal((day, slot, amount), (CellDelta.DayOf(cell), CellDelta.SlotOf(cell), CellDelta.AmountOf(cell)));
    }

    [Fact]
    public void CellsCountLikeWholeVectors()
    {
        // The same meetings counted through sparse cells and through day vectors.
        var cells = new CellDeltaBuilder();
        var vectors = new DayDeltaBuilder();
        foreach (var (day, minutes) in new[] { (Day, 90), (Day + 1, 30), (Day, 45), (Day - 400, 1_440) })
        {
            EventRules.CountReceived(cells, EventKind.Meeting, day, minutes, 0);
            EventRules.CountReceived(vectors, EventKind.Meeting, day, minutes, 0);
        }

        EventRules.CountIssued(cells, EventKind.Document, Day + 1);
        EventRules.CountIssued(vectors, EventKind.Document, Day + 1);
        var sparse = new PeriodCounters();
        sparse.Add(cells.Build());
        var dense = new PeriodCounters();
        dense.Add(vectors.Build());

        var november = new PeriodRange(PeriodGranularity.Month, 2026 * 12 + 10, 2026 * 12 + 10);
        Assert.Equal(dense.Sum(november), sparse.Sum(november));
        Assert.Equal([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], sparse.Sum(november).Select((v, i) => i == LoadCounters.Received(EventKind.Meeting) || i == LoadCounters.MeetingMinutes ? 0 : v));
        Assert.Equal(2, sparse.Sum(november)[LoadCounters.Received(EventKind.Meeting)]);
        Assert.Equal(135, sparse.Sum(november)[LoadCounters.MeetingMinutes]);
        Assert.Equal(dense.ToDelta().Days, sparse.ToDelta().Days);
        Assert.Equal(dense.ToDelta().Values, sparse.ToDelta().Values);
        Assert.Equal(3, sparse.DayCount);
    }
}
