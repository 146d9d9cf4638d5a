using System.Text.Json;
using Oversight.Domain;
using Oversight.Gateway.Http;

namespace Oversight.Gateway.Ingest;

/// <summary>One element of a batch: the parsed event, or why it could not be read.</summary>
public readonly record struct ParsedEvent(EventInput? Input, string? RawId, string? Error);

/// <summary>
/// Splits an events body (a JSON array, or NDJSON) into elements. A malformed body is one
/// problem; a malformed element is a rejection of that element alone.
/// </summary>
public static class EventBatchParser
{
    private const string NotAnObject = "an event must be a JSON object";

    /// <summary>Parses a body; <paramref name="problem"/> is set when the batch as a whole is unreadable or too large.</summary>
    public static List<ParsedEvent>? Parse(ReadOnlyMemory<byte> body, bool ndjson, out IResult? problem)
    {
        problem = null;
        return ndjson ? ParseLines(body, out problem) : ParseArray(body, out problem);
    }

    private static List<ParsedEvent>? ParseArray(ReadOnlyMemory<byte> body, out IResult? problem)
    {
        problem = null;

        // The common case, a well-formed array of well-formed events, in one pass; anything else
        // takes the element-by-element path, which says which element is wrong and why.
        var inputs = EventArrayReader.TryRead(body.Span);
        if (inputs is null)
        {
            try
            {
                inputs = JsonSerializer.Deserialize<EventInput?[]>(body.Span, JsonBody.Options);
            }
            catch (JsonException)
            {
            }
        }

        if (inputs is not null)
        {
            if (inputs.Length > EventRules.MaxBatch)
            {
                problem = TooMany(inputs.Length);
                return null;
            }

            var parsed = new List<ParsedEvent>(inputs.Length);
            foreach (var input in inputs)
            {
                parsed.Add(input is null ? new ParsedEvent(null, null, NotAnObject) : new ParsedEvent(input, input.Id, null));
            }

            return parsed;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, JsonBody.DocumentOptions);
        }
        catch (JsonException ex)
        {
            problem = Problems.BadRequest(JsonBody.Describe(ex));
            return null;
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                problem = Problems.BadRequest("The body must be a JSON array of events (or application/x-ndjson).");
                return null;
            }

            var count = document.RootElement.GetArrayLength();
            if (count > EventRules.MaxBatch)
            {
                problem = TooMany(count);
                return null;
            }

            var events = new List<ParsedEvent>(count);
            foreach (var element in document.RootElement.EnumerateArray())
            {
                events.Add(ParseElement(element));
            }

            return events;
        }
    }

    private static List<ParsedEvent>? ParseLines(ReadOnlyMemory<byte> body, out IResult? problem)
    {
        problem = null;
        var events = new List<ParsedEvent>();
        var span = body.Span;
        while (!span.IsEmpty)
        {
            var newline = span.IndexOf((byte)'\n');
            var line = newline < 0 ? span : span[..newline];
            span = newline < 0 ? [] : span[(newline + 1)..];
            if (line.Trim(" \t\r"u8).IsEmpty)
            {
                continue;
            }

            if (events.Count == EventRules.MaxBatch)
            {
                problem = TooMany(events.Count + 1);
                return null;
            }

            try
            {
                using var document = JsonDocument.Parse(line.ToArray(), JsonBody.DocumentOptions);
                events.Add(ParseElement(document.RootElement));
            }
            catch (JsonException ex)
            {
                events.Add(new ParsedEvent(null, null, JsonBody.Describe(ex)));
            }
        }

        return events;
    }

    private static ParsedEvent ParseElement(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return new ParsedEvent(null, null, NotAnObject);
        }

        string? rawId = null;
        if (element.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String)
        {
            rawId = id.GetString();
        }

        try
        {
            return new ParsedEvent(element.Deserialize<EventInput>(JsonBody.Options), rawId, null);
        }
        catch (JsonException ex)
        {
            return new ParsedEvent(null, rawId, JsonBody.Describe(ex));
        }
    }

    private static IResult TooMany(int count) =>
        Problems.TooLarge($"A batch holds at most {EventRules.MaxBatch} events; this one holds {(count > EventRules.MaxBatch ? "more" : count.ToString(System.Globalization.CultureInfo.InvariantCulture))}.");
}
