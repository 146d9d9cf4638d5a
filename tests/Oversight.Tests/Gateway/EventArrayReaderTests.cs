using System.Text;
using System.Text.Json;
using Oversight.Domain;
using Oversight.Gateway.Http;
using Oversight.Gateway.Ingest;

namespace Oversight.Tests.Gateway;

public sealed class EventArrayReaderTests
{
    private static readonly string[] Fields =
        ["id", "kind", "source", "targets", "occurredAt", "formal", "durationMinutes", "mode", "days", "planned", "deadlineHours", "dataItems", "channel", "category", "causedBy"];

    /// <summary>A value for a field: usually of its own type, sometimes null or of another type.</summary>
    private static string Value(Random random, string field)
    {
        switch (random.Next(12))
        {
            case 0:
                return "null";
            case 1:
                return new[] { "1", "\"x\"", "true", "[]", "{}", "1.5", "-0", "1e3", "[\"a\", 1]", "\"\\u00e9\\n\"", "99999999999999999999", "1e400" }[random.Next(12)];
        }

        return field switch
        {
            "targets" or "dataItems" => $"[{string.Join(", ", Enumerable.Range(0, random.Next(4)).Select(i => random.Next(8) == 0 ? "null" : $"\"u{random.Next(20)}\""))}]",
            "formal" or "planned" => random.Next(2) == 0 ? "true" : "false",
            "durationMinutes" or "days" => random.Next(-5, 1000).ToString(System.Globalization.CultureInfo.InvariantCulture),
            "deadlineHours" => (random.Next(0, 2000) / 8.0).ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            _ => random.Next(6) == 0 ? "\"esc\\\"aped \\u4e2d\\/\"" : $"\"v{random.Next(100)}-中\"",
        };
    }

    private static string Event(Random random)
    {
        if (random.Next(30) == 0)
        {
            return random.Next(2) == 0 ? "null" : "\"not an object\"";
        }

        var parts = new List<string>();
        foreach (var field in Fields.OrderBy(_ => random.Next()))
        {
            if (random.Next(3) == 0)
            {
                continue;
            }

            // Now and then another spelling, an escaped name, an unknown field or a repeat.
            var name = random.Next(40) switch
            {
                0 => field.ToUpperInvariant(),
                1 => "\\u0069d",
                2 => "unknown",
                _ => field,
            };
            parts.Add($"\"{name}\": {Value(random, field)}");
            if (random.Next(60) == 0)
            {
                parts.Add($"\"{field}\": {Value(random, field)}");
            }
        }

        return "{" + string.Join(", ", parts) + "}";
    }

    private static string? Serializer(string body)
    {
        try
        {
            var events = JsonSerializer.Deserialize<EventInput?[]>(Encoding.UTF8.GetBytes(body), JsonBody.Options);
            return events is null ? null : JsonSerializer.Serialize(events);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void WhatTheFastPathReadsTheSerializerReadsTheSame(int seed)
    {
        var random = new Random(seed);
        var taken = 0;
        for (var i = 0; i < 400; i++)
        {
            var body = "[" + string.Join(", ", Enumerable.Range(0, random.Next(0, 4)).Select(_ => Event(random))) + "]";
            body = random.Next(25) switch
            {
                0 => body + " x",
                1 => body.TrimEnd(']') + ",]",
                2 => "null",
                3 => "{}",
                4 => body[..^1],
                _ => body,
            };
            var fast = EventArrayReader.TryRead(Encoding.UTF8.GetBytes(body));
            if (fast is not null)
            {
                taken++;
                Assert.Equal(Serializer(body), JsonSerializer.Serialize(fast));
            }
        }

        // It must also be the fast path for most bodies, not a reader that gives up on everything.
        Assert.InRange(taken, 40, 400);
    }

    [Fact]
    public void APlainBatchIsReadFieldForField()
    {
        const string body = """
            [{"id": "e1", "kind": "meeting", "source": "hq", "targets": ["a", "b"], "occurredAt": "2026-03-01T09:00:00+08:00",
              "durationMinutes": 90, "mode": "video", "causedBy": null},
             {"id": "e2", "kind": "dataRequest", "source": "a", "targets": ["a1"], "occurredAt": "2026-03-02T09:00:00+08:00",
              "deadlineHours": 12.5, "dataItems": ["headcount", "safety-ledger"], "formal": false, "planned": true, "days": 3,
              "channel": "app", "category": "approval"},
             null]
            """;
        var events = EventArrayReader.TryRead(Encoding.UTF8.GetBytes(body));
        Assert.NotNull(events);
        Assert.Equal(3, events.Length);
        Assert.Equal(Serializer(body), JsonSerializer.Serialize(events));
        Assert.Equal(("e1", "meeting", 90L, "video"), (events[0]!.Id, events[0]!.Kind, events[0]!.DurationMinutes, events[0]!.Mode));
        Assert.Equal(new[] { "a", "b" }, events[0]!.Targets);
        Assert.Equal((12.5, false, 3L), (events[1]!.DeadlineHours, events[1]!.Formal, events[1]!.Days));
        Assert.Null(events[2]);
    }

    [Theory]
    [InlineData("""[{"ID": "e1"}]""")]
    [InlineData("""[{"id": "e1", "id": "e2"}]""")]
    [InlineData("""[{"id": 1}]""")]
    [InlineData("""[{"durationMinutes": 1.5}]""")]
    [InlineData("""[{"durationMinutes": "90"}]""")]
    [InlineData("""[{"id": "e1"}] []""")]
    [InlineData("""[{"id": "e1"},]""")]
    [InlineData("""[{"id": "e1"} /* c */]""")]
    [InlineData("""[{"extra": 1}]""")]
    [InlineData("""{"id": "e1"}""")]
    [InlineData("""[{"id": "e1"}""")]
    public void AnythingButThePlainFormIsLeftToTheSerializer(string body) =>
        Assert.Null(EventArrayReader.TryRead(Encoding.UTF8.GetBytes(body)));
}
