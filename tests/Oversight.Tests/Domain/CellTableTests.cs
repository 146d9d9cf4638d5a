using System.Runtime.CompilerServices;
using Oversight.Domain;

namespace Oversight.Tests.Domain;

public sealed class CellTableTests
{
    [Theory]
    [InlineData(1, 5)]
    [InlineData(2, 40)]
    [InlineData(3, 5_000)]
    public void HoldsWhatADictionaryOfCellsHolds(int seed, int adds)
    {
        // Random days over two years and every slot, set and added to, cleared and refilled once:
        // growth from empty, growth past a reservation, and probes of cells never held.
        var random = new Random(seed);
        var table = new CellTable();
        var expected = new Dictionary<(int, int), long>();
        for (var round = 0; round < 2; round++)
        {
            if (round == 1)
            {
                table.Reserve(adds / 2);
            }

            for (var i = 0; i < adds; i++)
            {
                var cell = (739_000 + random.Next(730), random.Next(LoadCounters.Width));
                var amount = random.NextInt64(-1_000, 1_000);
                if (random.Next(2) == 0)
                {
                    table.GetOrAdd(cell.Item1, cell.Item2) += amount;
                    expected[cell] = expected.GetValueOrDefault(cell) + amount;
                }
                else
                {
                    table.GetOrAdd(cell.Item1, cell.Item2) = amount;
                    expected[cell] = amount;
                }
            }

            Assert.Equal(expected.Count, table.Count);
            Assert.True(table.Count * 4 <= table.Capacity * 3);
            for (var i = 0; i < 2_000; i++)
            {
                var probe = (739_000 + random.Next(-10, 740), random.Next(LoadCounters.Width));
                Assert.Equal(expected.GetValueOrDefault(probe), table.Get(probe.Item1, probe.Item2));
                Assert.Equal(expected.ContainsKey(probe), !Unsafe.IsNullRef(ref table.Find(probe.Item1, probe.Item2)));
            }

            var walked = new Dictionary<(int, int), long>();
            foreach (var (day, slot, value) in table.Cells)
            {
                walked.Add((day, slot), value);
            }

            Assert.Equal(expected.OrderBy(e => e.Key), walked.OrderBy(e => e.Key));

            table.Clear();
            expected.Clear();
            Assert.Equal(0, table.Count);
            Assert.Equal(0, table.Get(739_000, 0));
            Assert.Empty(table.Cells.ToList());
        }
    }

    [Fact]
    public void KeepsCellsApartAtTheEdgesOfDaysAndSlots()
    {
        // Day 0 slot 0 is the smallest key (the unused marker is below it), the last day of 9999
        // the largest; neighbouring slots and days are different cells.
        var table = new CellTable();
        var last = new DateOnly(9999, 12, 31).DayNumber;
        table.GetOrAdd(0, 0) = 1;
        table.GetOrAdd(0, 15) = 2;
        table.GetOrAdd(1, 0) = 3;
        table.GetOrAdd(last, 13) = long.MaxValue;
        table.GetOrAdd(last, 15) = long.MinValue;

        Assert.Equal(5, table.Count);
        Assert.Equal(1, table.Get(0, 0));
        Assert.Equal(2, table.Get(0, 15));
        Assert.Equal(3, table.Get(1, 0));
        Assert.Equal(0, table.Get(0, 1));
        Assert.Equal(long.MaxValue, table.Get(last, 13));
        Assert.Equal(long.MinValue, table.Get(last, 15));
        Assert.Equal(
            new[] { (0, 0, 1L), (0, 15, 2L), (1, 0, 3L), (last, 13, long.MaxValue), (last, 15, long.MinValue) },
            table.Cells.ToList().Order());
        Assert.Throws<ArgumentOutOfRangeException>(() => table.Get(0, 16));
    }

    [Fact]
    public void AReservationIsOneGrowth()
    {
        var table = new CellTable();
        table.Reserve(25);
        Assert.Equal(64, table.Capacity);
        for (var day = 0; day < 25; day++)
        {
            table.GetOrAdd(739_000 + day, day % 3) = day;
        }

        Assert.Equal(64, table.Capacity);
        Assert.Equal(25, table.Count);
    }
}

internal static class CellWalkExtensions
{
    public static List<(int Day, int Slot, long Value)> ToList(this CellTable.CellWalk walk)
    {
        var list = new List<(int, int, long)>();
        foreach (var cell in walk)
        {
            list.Add(cell);
        }

        return list;
    }
}
