using System.Globalization;
using System.Text.Json;

namespace Oversight.Benchmarks;

/// <summary>A unit of the generated tree.</summary>
public sealed record BenchUnit(string Id, int Parent, int Depth, int Headcount);

/// <summary>One generated event, with the fields the baselines need and its JSON for the API.</summary>
public sealed record BenchEvent(string Id, int Kind, int Source, int[] Targets, DateTimeOffset OccurredAt, int Minutes, int Days);

/// <summary>
/// The seeded workload of BENCH.md: tree shapes S, M, L; a year's mix of burdens; sources mostly
/// ancestors of their targets; 1 to 50 targets (mean about 5); 13 months; 1% repeated ids; 10%
/// causedBy links; uniform or Zipf (s = 1.1) sources.
/// </summary>
public sealed class Workload
{
    private static readonly string[] KindNames = ["document", "meeting", "inspection", "dataRequest", "digitalDemand", "overreach"];
    private static readonly double[] Mix = [0.40, 0.20, 0.10, 0.15, 0.12, 0.03];

    public Workload(string shape, int seed)
    {
        Shape = shape;
        var fanout = shape switch
        {
            "S" => new[] { 10, 10, 10 },
            "M" => [20, 10, 10, 5],
            "L" => [10, 10, 10, 10, 10],
            _ => throw new ArgumentException($"unknown shape {shape}: use S, M or L"),
        };
        var random = new Random(seed);
        Units.Add(new BenchUnit("u0", -1, 0, random.Next(20, 2001)));
        var level = new List<int> { 0 };
        foreach (var f in fanout)
        {
            var next = new List<int>();
            foreach (var parent in level)
            {
                for (var i = 0; i < f; i++)
                {
                    next.Add(Units.Count);
                    Units.Add(new BenchUnit($"u{Units.Count}", parent, Units[parent].Depth + 1, random.Next(20, 2001)));
                }
            }

            level = next;
        }

        Children = new List<int>[Units.Count];
        for (var i = 1; i < Units.Count; i++)
        {
            (Children[Units[i].Parent] ??= []).Add(i);
        }

        Internal = [.. Enumerable.Range(0, Units.Count).Where(u => Children[u] is not null)];
    }

    public string Shape { get; }

    public List<BenchUnit> Units { get; } = [];

    public List<int>?[] Children { get; }

    /// <summary>Units with children: the sources of top-down load.</summary>
    public int[] Internal { get; }

    public int Mid => Children[0]![0];

    /// <summary>Generates events; ids carry <paramref name="prefix"/> so runs into one tenant never collide.</summary>
    public List<BenchEvent> Events(int count, bool zipf, int seed, string prefix, DateTimeOffset now)
    {
        var random = new Random(seed);
        var zipfTable = zipf ? ZipfCdf(Internal.Length, 1.1) : null;
        var events = new List<BenchEvent>(count);
        for (var n = 0; n < count; n++)
        {
            if (events.Count > 0 && random.NextDouble() < 0.01)
            {
                events.Add(events[random.Next(events.Count)]);
                continue;
            }

            var source = Internal[zipfTable is null ? random.Next(Internal.Length) : Sample(zipfTable, random)];
            var pool = random.NextDouble() < 0.7 ? Children[source]! : Slice(source, random);
            var wanted = Math.Min(50, 1 + (int)(-Math.Log(1 - random.NextDouble()) * 4));
            var targets = new HashSet<int>();
            for (var i = 0; i < wanted; i++)
            {
                targets.Add(pool[random.Next(pool.Count)]);
            }

            var kind = PickKind(random);
            var at = now.AddMinutes(-random.Next(60, 395 * 24 * 60));
            events.Add(new BenchEvent($"{prefix}-{n}", kind, source, [.. targets], at, kind == 1 ? random.Next(15, 241) : 0, kind == 2 ? random.Next(1, 6) : 0));
        }

        return events;
    }

    /// <summary>The API's JSON for a batch (10% of events carry a causedBy link to an earlier one).</summary>
    public byte[] Json(IReadOnlyList<BenchEvent> batch, int seed)
    {
        var random = new Random(seed);
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartArray();
            for (var i = 0; i < batch.Count; i++)
            {
                var e = batch[i];
                json.WriteStartObject();
                json.WriteString("id", e.Id);
                json.WriteString("kind", KindNames[e.Kind]);
                json.WriteString("source", Units[e.Source].Id);
                json.WriteStartArray("targets");
                foreach (var t in e.Targets)
                {
                    json.WriteStringValue(Units[t].Id);
                }

                json.WriteEndArray();
                json.WriteString("occurredAt", e.OccurredAt.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
                if (e.Kind == 1)
                {
                    json.WriteNumber("durationMinutes", e.Minutes);
                }

                if (e.Kind == 2)
                {
                    json.WriteNumber("days", e.Days);
                }

                if (e.Kind == 3)
                {
                    json.WriteNumber("deadlineHours", 4 + (i % 90));
                    json.WriteStartArray("dataItems");
                    json.WriteStringValue($"item-{i % 40}");
                    json.WriteEndArray();
                }

                if (i > 0 && random.NextDouble() < 0.10)
                {
                    json.WriteString("causedBy", batch[random.Next(i)].Id);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        return stream.ToArray();
    }

    public string TreeJson() => JsonSerializer.Serialize(Units.Select(u => new { id = u.Id, name = u.Id, parentId = u.Parent < 0 ? null : Units[u.Parent].Id, headcount = u.Headcount }));

    private List<int> Slice(int source, Random random)
    {
        var slice = new List<int>();
        var stack = new Stack<int>();
        stack.Push(source);
        while (stack.Count > 0 && slice.Count < 200)
        {
            var u = stack.Pop();
            if (u != source)
            {
                slice.Add(u);
            }

            foreach (var c in Children[u] ?? [])
            {
                if (random.NextDouble() < 0.5 || slice.Count < 10)
                {
                    stack.Push(c);
                }
            }
        }

        return slice.Count > 0 ? slice : Children[source]!;
    }

    private static int PickKind(Random random)
    {
        var x = random.NextDouble();
        for (var k = 0; k < Mix.Length; k++)
        {
            if ((x -= Mix[k]) < 0)
            {
                return k;
            }
        }

        return 0;
    }

    private static double[] ZipfCdf(int n, double s)
    {
        var cdf = new double[n];
        var sum = 0.0;
        for (var i = 0; i < n; i++)
        {
            sum += 1 / Math.Pow(i + 1, s);
            cdf[i] = sum;
        }

        for (var i = 0; i < n; i++)
        {
            cdf[i] /= sum;
        }

        return cdf;
    }

    private static int Sample(double[] cdf, Random random)
    {
        var i = Array.BinarySearch(cdf, random.NextDouble());
        return Math.Min(cdf.Length - 1, i < 0 ? ~i : i);
    }
}
