using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Oversight.Gateway.Http;

/// <summary>
/// Reads request bodies by hand so every failure is a precise problem answer: 415 for a wrong
/// content type, 413 past the limit (checked while reading, not trusting Content-Length), 400
/// for malformed JSON, duplicated keys or wrong types.
/// </summary>
public static class JsonBody
{
    /// <summary>Largest body of any endpoint: 16 MiB, as <c>API.md</c> fixes for events.</summary>
    public const long MaxBytes = 16L * 1024 * 1024;

    public const string NdJson = "application/x-ndjson";

    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        AllowDuplicateProperties = false,
        MaxDepth = 32,
        NumberHandling = JsonNumberHandling.Strict,
        ReadCommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
    };

    public static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 32 };

    /// <summary>True for <c>application/json</c> and <c>…+json</c>.</summary>
    public static bool IsJson(HttpRequest request)
    {
        var type = MediaType(request.ContentType ?? "");
        return type == "application/json" || type.EndsWith("+json", StringComparison.Ordinal);
    }

    public static bool IsNdJson(HttpRequest request) => MediaType(request.ContentType ?? "") == NdJson;

    /// <summary>Reads the whole body within the limit; a problem when too large.</summary>
    public static async Task<(PooledBody? Body, IResult? Problem)> ReadBytesAsync(HttpRequest request, long limit = MaxBytes)
    {
        if (request.ContentLength > limit)
        {
            return (null, Problems.TooLarge($"The body exceeds {limit / (1024 * 1024)} MiB."));
        }

        // Batches are hundreds of kilobytes: a pooled buffer, not two fresh large-object arrays per request.
        var pool = ArrayPool<byte>.Shared;
        var buffer = pool.Rent((int)Math.Min(request.ContentLength ?? 64 * 1024, limit) + 1);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var larger = pool.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(larger);
                    pool.Return(buffer);
                    buffer = larger;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length), request.HttpContext.RequestAborted);
                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > limit)
                {
                    pool.Return(buffer);
                    return (null, Problems.TooLarge($"The body exceeds {limit / (1024 * 1024)} MiB."));
                }
            }
        }
        catch
        {
            pool.Return(buffer);
            throw;
        }

        return (new PooledBody(buffer, length), null);
    }

    /// <summary>Reads and deserializes a JSON body; a problem for any failure.</summary>
    public static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpRequest request, long limit = MaxBytes)
        where T : class
    {
        if (!IsJson(request))
        {
            return (null, Problems.UnsupportedMediaType("Send the body as application/json."));
        }

        var (body, problem) = await ReadBytesAsync(request, limit);
        if (problem is not null)
        {
            return (null, problem);
        }

        using var owned = body!;
        try
        {
            var value = JsonSerializer.Deserialize<T>(owned.Memory.Span, Options);
            return value is null ? (null, Problems.BadRequest("The body must not be null.")) : (value, null);
        }
        catch (JsonException ex)
        {
            return (null, Problems.BadRequest(Describe(ex)));
        }
    }

    /// <summary>A safe, useful description of a JSON failure (path and position, no internals).</summary>
    public static string Describe(JsonException ex) =>
        $"Malformed JSON{(ex.Path is { Length: > 0 } p ? $" at {p}" : "")}{(ex.LineNumber is { } l ? $" (line {l + 1}, byte {ex.BytePositionInLine + 1})" : "")}: {FirstSentence(ex.Message)}";

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(". ", StringComparison.Ordinal);
        var text = cut > 0 ? message[..(cut + 1)] : message;
        return text.Length > 300 ? text[..300] : text;
    }

    private static string MediaType(string contentType)
    {
        var semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        return (semicolon >= 0 ? contentType[..semicolon] : contentType).Trim().ToLowerInvariant();
    }
}

/// <summary>A request body in a buffer rented from the shared pool; disposing returns the buffer.</summary>
public sealed class PooledBody(byte[] buffer, int length) : IDisposable
{
    private byte[]? _buffer = buffer;

    /// <summary>The body's bytes; not to be used after disposal.</summary>
    public ReadOnlyMemory<byte> Memory => (_buffer ?? throw new ObjectDisposedException(nameof(PooledBody))).AsMemory(0, length);

    public void Dispose()
    {
        if (_buffer is { } owned)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(owned);
        }
    }
}
