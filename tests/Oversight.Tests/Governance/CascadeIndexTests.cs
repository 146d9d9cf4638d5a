using Oversight.Governance;

namespace Oversight.Tests.Governance;

/// <summary>The flat cascade index against a plain computation over the whole event set.</summary>
public sealed class CascadeIndexTests
{
    private sealed record Event(string Id, string? CausedBy, string Source, string[] Targets, int Day);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void RandomCascadesInRandomOrderMatchAPlainWalk(int seed)
    {
        var random = new Random(seed);
        var events = RandomEvents(random);
        var index = new CascadeIndex();
        foreach (var e in events.OrderBy(_ => random.Next()))
        {
            index.Add(e.Id, e.CausedBy, e.Source, e.Targets, e.Day);
            index.Add(e.Id, "ignored-on-repeat", "other", ["other"], 1);
        }

        var byId = events.ToDictionary(e => e.Id);
        var children = events.Where(e => e.CausedBy is not null && e.CausedBy != e.Id).ToLookup(e => e.CausedBy!);
        foreach (var e in events)
        {
            Assert.True(index.Contains(e.Id));
            Assert.Equal(children.Contains(e.Id), index.HasFollowers(e.Id));
            Assert.Equal(e.CausedBy is null, index.IsRoot(e.Id));
            var (source, targets, day) = index.Describe(e.Id);
            Assert.Equal(e.Source, source);
            Assert.Equal(e.Targets, targets);
            Assert.Equal(e.Day, day);

            var top = e;
            while (top.CausedBy is { } parent && parent != top.Id && byId.TryGetValue(parent, out var up))
            {
                top = up;
            }

            Assert.Equal(top.Id, index.TopOf(e.Id));
        }

        foreach (var root in events.Where(e => e.CausedBy is null))
        {
            var expected = new List<CascadeLayer>();
            var level = new List<Event> { root };
            while (level.Count > 0)
            {
                expected.Add(new CascadeLayer(expected.Count, level.Count, level.Sum(e => (long)e.Targets.Length)));
                level = [.. level.SelectMany(e => children[e.Id])];
            }

            var layers = index.Layers(root.Id);
            Assert.Equal(expected, layers);
            for (var limit = 0; limit < 4; limit++)
            {
                Assert.Equal(expected.Skip(1).FirstOrDefault(l => l.Events > limit), index.FirstLayerOver(root.Id, limit));
            }
        }

        Assert.False(index.Contains("missing-0"));
        Assert.Equal("missing-0", index.TopOf("missing-0"));
        Assert.Empty(index.Layers("missing-0"));
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public void ABatchNamesTheTopOfEveryChainItJoinedOnce(int seed)
    {
        var random = new Random(seed);
        var index = new CascadeIndex();
        foreach (var batch in RandomEvents(random).OrderBy(_ => random.Next()).Chunk(100))
        {
            var logged = batch.Select(e => new Oversight.Grains.LoggedEvent
            {
                Id = e.Id, Kind = Oversight.Domain.EventKind.Document, Source = e.Source, Targets = e.Targets, Day = e.Day,
                OccurredAt = DateTimeOffset.UnixEpoch, CausedBy = e.CausedBy,
            }).ToArray();

            var tops = index.AddAll(logged);

            // The rule the cascade grain used before: an event with a link, or with followers once
            // the whole batch is in, belongs to the chain of its top.
            var expected = batch.Where(e => e.CausedBy is not null || index.HasFollowers(e.Id)).Select(e => index.TopOf(e.Id)).ToHashSet();
            Assert.Equal(expected.Order(StringComparer.Ordinal), tops.Order(StringComparer.Ordinal));
            Assert.Equal(tops.Count, tops.Distinct().Count());
        }

        Assert.Empty(index.AddAll([]));
    }

    /// <summary>3,000 events whose links go to an earlier event, to one never sent, to itself, or nowhere.</summary>
    private static List<Event> RandomEvents(Random random)
    {
        var events = new List<Event>();
        for (var i = 0; i < 3_000; i++)
        {
            var roll = random.Next(10);
            string? causedBy = roll switch
            {
                < 4 => null,
                < 8 when i > 0 => events[random.Next(Math.Max(0, i - 50), i)].Id,
                8 => $"missing-{random.Next(20)}",
                _ => $"e{i}",
            };
            var targets = Enumerable.Range(0, random.Next(1, 6)).Select(_ => $"u{random.Next(40)}").Distinct().ToArray();
            events.Add(new Event($"e{i}", causedBy, $"u{random.Next(40)}", targets, 740_000 + random.Next(400)));
        }

        return events;
    }
}
