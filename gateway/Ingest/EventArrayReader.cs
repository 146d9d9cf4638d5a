using System.Text.Json;
using Oversight.Domain;

namespace Oversight.Gateway.Ingest;

/// <summary>
/// The fast path for the common body: a JSON array of events whose fields are spelled exactly as
/// in <c>API.md</c>, each at most once, with values of their own types. It reads straight into
/// <see cref="EventInput"/>s; on anything else (another spelling or case, an unknown field, a
/// repeated field, a value of another type, malformed JSON) it answers null and the caller reads
/// the body with the general serializer, which accepts or rejects it by the contract's rules.
/// So whatever it accepts, the serializer reads the same way (a test holds it to that).
/// </summary>
public static class EventArrayReader
{
    /// <summary>The events, or null when the body is not in the plain form this reader takes.</summary>
    public static EventInput?[]? TryRead(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 32 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                return null;
            }

            var events = new List<EventInput?>(1024);
            while (true)
            {
                if (!reader.Read())
                {
                    return null;
                }

                if (reader.TokenType == JsonTokenType.EndArray)
                {
                    break;
                }

                if (reader.TokenType == JsonTokenType.Null)
                {
                    events.Add(null);
                    continue;
                }

                if (reader.TokenType != JsonTokenType.StartObject || ReadEvent(ref reader) is not { } e)
                {
                    return null;
                }

                events.Add(e);
            }

            // Nothing may follow the array (the reader throws on anything but whitespace).
            return reader.Read() ? null : [.. events];
        }
        catch (JsonException)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            // A string that is not valid UTF-8, and the like: the general path says what is wrong.
            return null;
        }
    }

    private static EventInput? ReadEvent(ref Utf8JsonReader reader)
    {
        var e = new EventInput();
        var seen = 0;
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                return e;
            }

            if (reader.TokenType != JsonTokenType.PropertyName || reader.ValueIsEscaped)
            {
                return null;
            }

            var field = Field(reader.ValueSpan);
            if (field < 0 || (seen & (1 << field)) != 0 || !reader.Read())
            {
                return null;
            }

            seen |= 1 << field;
            switch (field)
            {
                case 0:
                    if (!String(ref reader, out var id))
                    {
                        return null;
                    }

                    e.Id = id;
                    break;
                case 1:
                    if (!String(ref reader, out var kind))
                    {
                        return null;
                    }

                    e.Kind = kind;
                    break;
                case 2:
                    if (!String(ref reader, out var source))
                    {
                        return null;
                    }

                    e.Source = source;
                    break;
                case 3:
                    if (!Strings(ref reader, out var targets))
                    {
                        return null;
                    }

                    e.Targets = targets;
                    break;
                case 4:
                    if (!String(ref reader, out var occurredAt))
                    {
                        return null;
                    }

                    e.OccurredAt = occurredAt;
                    break;
                case 5:
                    if (!Bool(ref reader, out var formal))
                    {
                        return null;
                    }

                    e.Formal = formal;
                    break;
                case 6:
                    if (!Long(ref reader, out var durationMinutes))
                    {
                        return null;
                    }

                    e.DurationMinutes = durationMinutes;
                    break;
                case 7:
                    if (!String(ref reader, out var mode))
                    {
                        return null;
                    }

                    e.Mode = mode;
                    break;
                case 8:
                    if (!Long(ref reader, out var days))
                    {
                        return null;
                    }

                    e.Days = days;
                    break;
                case 9:
                    if (!Bool(ref reader, out var planned))
                    {
                        return null;
                    }

                    e.Planned = planned;
                    break;
                case 10:
                    if (!Double(ref reader, out var deadlineHours))
                    {
                        return null;
                    }

                    e.DeadlineHours = deadlineHours;
                    break;
                case 11:
                    if (!Strings(ref reader, out var dataItems))
                    {
                        return null;
                    }

                    e.DataItems = dataItems;
                    break;
                case 12:
                    if (!String(ref reader, out var channel))
                    {
                        return null;
                    }

                    e.Channel = channel;
                    break;
                case 13:
                    if (!String(ref reader, out var category))
                    {
                        return null;
                    }

                    e.Category = category;
                    break;
                case 14:
                    if (!String(ref reader, out var causedBy))
                    {
                        return null;
                    }

                    e.CausedBy = causedBy;
                    break;
            }
        }

        return null;
    }

    private static int Field(ReadOnlySpan<byte> name) => name.Length switch
    {
        2 when name.SequenceEqual("id"u8) => 0,
        4 when name.SequenceEqual("kind"u8) => 1,
        4 when name.SequenceEqual("days"u8) => 8,
        4 when name.SequenceEqual("mode"u8) => 7,
        6 when name.SequenceEqual("source"u8) => 2,
        6 when name.SequenceEqual("formal"u8) => 5,
        7 when name.SequenceEqual("targets"u8) => 3,
        7 when name.SequenceEqual("planned"u8) => 9,
        7 when name.SequenceEqual("channel"u8) => 12,
        8 when name.SequenceEqual("category"u8) => 13,
        8 when name.SequenceEqual("causedBy"u8) => 14,
        9 when name.SequenceEqual("dataItems"u8) => 11,
        10 when name.SequenceEqual("occurredAt"u8) => 4,
        13 when name.SequenceEqual("deadlineHours"u8) => 10,
        15 when name.SequenceEqual("durationMinutes"u8) => 6,
        _ => -1,
    };

    private static bool String(ref Utf8JsonReader reader, out string? value)
    {
        value = null;
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return true;
            case JsonTokenType.String:
                value = reader.GetString();
                return true;
            default:
                return false;
        }
    }

    private static bool Strings(ref Utf8JsonReader reader, out string?[]? value)
    {
        value = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return false;
        }

        var items = new List<string?>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (!String(ref reader, out var item))
            {
                return false;
            }

            items.Add(item);
        }

        value = [.. items];
        return reader.TokenType == JsonTokenType.EndArray;
    }

    private static bool Bool(ref Utf8JsonReader reader, out bool? value)
    {
        value = reader.TokenType switch
        {
            JsonTokenType.True => true,
            JsonTokenType.False => false,
            _ => null,
        };
        return value is not null || reader.TokenType == JsonTokenType.Null;
    }

    private static bool Long(ref Utf8JsonReader reader, out long? value)
    {
        value = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var v) ? v : null;
        return value is not null || reader.TokenType == JsonTokenType.Null;
    }

    private static bool Double(ref Utf8JsonReader reader, out double? value)
    {
        value = reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var v) ? v : null;
        return value is not null || reader.TokenType == JsonTokenType.Null;
    }
}
