using System.Globalization;
using System.Text.Json.Nodes;

namespace Oversight.Tests.Api;

/// <summary>
/// A few thousand random events on a random tree, with repeats and a restructuring midway,
/// compared counter by counter with a computation written here from the contract alone.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class RandomizedRollupTests(GatewayFixture gateway)
{
    private static readonly string[] Kinds = ["document", "meeting", "inspection", "dataRequest", "digitalDemand", "overreach"];

    private sealed record Sent(string Id, int Kind, int Source, int[] Targets, DateOnly Day, int Minutes, int Days);

    [Theory]
    [InlineData(20261126)]
    [InlineData(7)]
    public async Task RollUpMatchesAnIndependentComputation(int seed)
    {
        var random = new Random(seed);
        var group = await Group.CreateAsync(gateway, withUnits: false);
        const int unitCount = 120;
        var parent = new int[unitCount];
        parent[0] = -1;
        for (var i = 1; i < unitCount; i++)
        {
            parent[i] = random.Next(Math.Max(0, i - 30), i);
        }

        string Id(int u) => $"u{u:D3}";
        var order = Enumerable.Range(0, unitCount).OrderBy(_ => random.Next()).ToArray();
        (await group.Admin.PutAsync($"{group.Base}/units", order.Select(u => new { id = Id(u), parentId = parent[u] < 0 ? null : Id(parent[u]), headcount = u * 3 }))).AssertOk();

        var today = Group.Today;
        var accepted = new List<Sent>();
        var ids = new HashSet<string>();
        var expectedDuplicates = 0;
        for (var batch = 0; batch < 6; batch++)
        {
            if (batch == 3)
            {
                await RestructureAsync(group, random, parent, Id);
            }

            var events = new List<object>();
            for (var n = 0; n < 500; n++)
            {
                var repeat = accepted.Count > 0 && random.NextDouble() < 0.03;
                var id = repeat ? accepted[random.Next(accepted.Count)].Id : $"e{batch}-{n}";
                var kind = random.Next(Kinds.Length);
                var source = random.Next(unitCount);
                var targets = Enumerable.Range(0, random.Next(1, 9)).Select(_ => random.Next(unitCount)).ToArray();
                var day = today.AddDays(-random.Next(0, 380));
                var minutes = random.Next(1, 1441);
                var days = random.Next(1, 10);
                events.Add(new
                {
                    id,
                    kind = Kinds[kind],
                    source = Id(source),
                    targets = targets.Select(Id).ToArray(),
                    occurredAt = Group.At(day, random.Next(0, 24)),
                    durationMinutes = minutes,
                    days,
                });
                if (ids.Add(id))
                {
                    accepted.Add(new Sent(id, kind, source, [.. targets.Distinct()], day, kind == 1 ? minutes : 0, kind == 2 ? days : 0));
                }
                else
                {
                    expectedDuplicates++;
                }
            }

            var reply = (await group.Admin.PostAsync($"{group.Base}/events", events)).AssertOk();
            Assert.Empty(reply.Json["rejected"]!.AsArray());
        }

        Assert.True(expectedDuplicates > 0);
        await gateway.SettleAsync(group.Tenant, Enumerable.Range(0, unitCount).Select(u => (Id(u), Depth(parent, u))));

        var month = today.AddMonths(-4);
        var periods = new (string Period, Func<DateOnly, bool> Contains)[]
        {
            (today.Year.ToString(CultureInfo.InvariantCulture), d => d.Year == today.Year),
            (Group.Month(month), d => d.Year == month.Year && d.Month == month.Month),
            ("last400d", d => d > today.AddDays(-400)),
            ("last30d", d => d > today.AddDays(-30)),
        };
        foreach (var (period, contains) in periods)
        {
            var own = new long[unitCount, 14];
            foreach (var e in accepted.Where(e => contains(e.Day)))
            {
                foreach (var t in e.Targets)
                {
                    own[t, e.Kind]++;
                    own[t, 12] += e.Minutes;
                    own[t, 13] += e.Days;
                }

                own[e.Source, 6 + e.Kind]++;
            }

            for (var u = 0; u < unitCount; u++)
            {
                var load = (await group.Admin.GetAsync($"{group.Base}/units/{Id(u)}/load?period={period}")).AssertOk().Json;
                var subtree = Enumerable.Range(0, unitCount).Where(v => IsWithin(parent, v, u)).ToArray();
                Compare(load["own"]!, i => own[u, i], $"{period} own {Id(u)} seed {seed}");
                Compare(load["subtree"]!, i => subtree.Sum(v => own[v, i]), $"{period} subtree {Id(u)} seed {seed}");
                Assert.Equal(subtree.Length, load["subtree"]!["units"]!.GetValue<int>());
                Assert.Equal(subtree.Sum(v => v * 3L), load["subtree"]!["headcount"]!.GetValue<long>());
            }
        }
    }

    private static async Task RestructureAsync(Group group, Random random, int[] parent, Func<int, string> id)
    {
        var moves = new List<object>();
        for (var attempt = 0; moves.Count < 6 && attempt < 100; attempt++)
        {
            var unit = random.Next(1, parent.Length);
            var target = random.Next(parent.Length);
            if (target == parent[unit] || IsWithin(parent, target, unit))
            {
                continue;
            }

            parent[unit] = target;
            moves.Add(new { id = id(unit), parentId = id(target), headcount = unit * 3 });
        }

        var reply = (await group.Admin.PutAsync($"{group.Base}/units", moves)).AssertOk();
        Assert.Equal(moves.Count, reply.Json["moved"]!.GetValue<int>());
    }

    private static void Compare(JsonNode actual, Func<int, long> expected, string what)
    {
        for (var k = 0; k < Kinds.Length; k++)
        {
            Assert.True(expected(k) == actual["received"]![Kinds[k]]!.GetValue<long>(), $"{what} received {Kinds[k]}");
            Assert.True(expected(6 + k) == actual["issued"]![Kinds[k]]!.GetValue<long>(), $"{what} issued {Kinds[k]}");
        }

        Assert.True(expected(12) == actual["meetingMinutes"]!.GetValue<long>(), $"{what} meetingMinutes");
        Assert.True(expected(13) == actual["inspectionDays"]!.GetValue<long>(), $"{what} inspectionDays");
    }

    private static bool IsWithin(int[] parent, int unit, int ancestor)
    {
        for (var u = unit; u >= 0; u = parent[u])
        {
            if (u == ancestor)
            {
                return true;
            }
        }

        return false;
    }

    private static int Depth(int[] parent, int unit)
    {
        var depth = 0;
        for (var u = parent[unit]; u >= 0; u = parent[u])
        {
            depth++;
        }

        return depth;
    }
}
