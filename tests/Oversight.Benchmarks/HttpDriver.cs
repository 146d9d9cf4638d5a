using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Oversight.Benchmarks;

/// <summary>The load generator: drives a gateway over HTTP like a client would.</summary>
public sealed class HttpDriver(string baseUrl, string token)
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromMinutes(2) };

    public async Task WaitReadyAsync()
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            try
            {
                if ((await _http.GetAsync("/health/ready")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{baseUrl} never became ready");
            }

            await Task.Delay(50);
        }
    }

    public async Task<string> SendAsync(HttpMethod method, string path, string? json)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await _http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{method} {path}: {(int)response.StatusCode} {body}");
        }

        return body;
    }

    public async Task SetupAsync(string tenant, Workload workload)
    {
        await SendAsync(HttpMethod.Put, $"/api/v1/tenants/{tenant}", """{"name":"Bench","timeZone":"Asia/Shanghai"}""");
        var units = System.Text.Json.JsonSerializer.Deserialize<JsonArray>(workload.TreeJson())!;
        for (var i = 0; i < units.Count; i += 10_000)
        {
            await SendAsync(HttpMethod.Put, $"/api/v1/tenants/{tenant}/units", new JsonArray([.. units.Skip(i).Take(10_000).Select(n => n!.DeepClone())]).ToJsonString());
        }
    }

    /// <summary>
    /// Posts pre-serialized batches from <paramref name="clients"/> concurrent clients; returns elapsed
    /// seconds. With <paramref name="backfill"/>, each post carries <c>Prefer: respond-async</c>.
    /// </summary>
    public async Task<(double Seconds, long Accepted)> IngestAsync(string tenant, IReadOnlyList<byte[]> batches, int clients, bool backfill = false)
    {
        var accepted = 0L;
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
        {
            for (var i = c; i < batches.Count; i += clients)
            {
                Interlocked.Add(ref accepted, await PostAcceptedAsync(tenant, batches[i], backfill));
            }
        }));
        return (stopwatch.Elapsed.TotalSeconds, accepted);
    }

    /// <summary>
    /// A warm-up: posts <paramref name="batches"/> in order with <paramref name="clients"/> clients
    /// until at least <paramref name="minimumBatches"/> are in and <paramref name="minimumTime"/> has
    /// passed, or all are in. Returns the events accepted.
    /// </summary>
    public async Task<long> WarmUpAsync(string tenant, IReadOnlyList<byte[]> batches, int clients, int minimumBatches, TimeSpan minimumTime)
    {
        var stopwatch = Stopwatch.StartNew();
        return await PostInTurnAsync(tenant, batches, clients, i => Task.FromResult(i < minimumBatches || stopwatch.Elapsed < minimumTime));
    }

    /// <summary>
    /// Posts <paramref name="batches"/> in order, each client taking the next one not yet taken
    /// while <paramref name="take"/> allows it (it may wait first); returns the events accepted.
    /// </summary>
    private async Task<long> PostInTurnAsync(string tenant, IReadOnlyList<byte[]> batches, int clients, Func<int, Task<bool>> take)
    {
        var accepted = 0L;
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            for (var i = Interlocked.Increment(ref next); i < batches.Count && await take(i); i = Interlocked.Increment(ref next))
            {
                Interlocked.Add(ref accepted, await PostAcceptedAsync(tenant, batches[i]));
            }
        }));
        return accepted;
    }

    /// <summary>Posts a batch and returns how many of its events the platform accepted.</summary>
    private async Task<long> PostAcceptedAsync(string tenant, byte[] batch, bool backfill = false) =>
        JsonNode.Parse(await PostBatchAsync(tenant, batch, backfill))!["accepted"]!.GetValue<long>();

    public async Task<string> PostBatchAsync(string tenant, byte[] batch, bool backfill = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/tenants/{tenant}/events") { Content = new ByteArrayContent(batch) };
        if (backfill)
        {
            request.Headers.Add("Prefer", "respond-async");
        }

        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await _http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode ? body : throw new InvalidOperationException($"ingest: {(int)response.StatusCode} {body}");
    }

    /// <summary>Sum of every received count in a unit's subtree over a period.</summary>
    public async Task<long> SubtreeReceivedAsync(string tenant, string unit, string period)
    {
        var load = JsonNode.Parse(await SendAsync(HttpMethod.Get, $"/api/v1/tenants/{tenant}/units/{unit}/load?period={period}", null))!;
        return load["subtree"]!["received"]!.AsObject().Sum(p => p.Value!.GetValue<long>());
    }

    /// <summary>
    /// The gateway's runtime totals since it started, from its Prometheus text (the runtime's own
    /// meter): bytes allocated, and seconds the process was paused for garbage collections.
    /// </summary>
    public async Task<RuntimeTotals> RuntimeTotalsAsync()
    {
        var text = await _http.GetStringAsync("/metrics");
        return new RuntimeTotals(Metric(text, "dotnet_gc_heap_total_allocated_bytes_total"), Metric(text, "dotnet_gc_pause_time_seconds_total"));
    }

    /// <summary>
    /// The gateway's managed heap as its last collection left it (every generation, the large and
    /// pinned object heaps included) and, of it, the free space between objects, in bytes. Objects
    /// that died since in a generation the collection did not condemn are still counted.
    /// </summary>
    public async Task<(double Heap, double Free)> HeapAfterLastCollectionAsync()
    {
        var text = await _http.GetStringAsync("/metrics");
        return (Metric(text, "dotnet_gc_last_collection_heap_size_bytes"), Metric(text, "dotnet_gc_last_collection_heap_fragmentation_size_bytes"));
    }

    /// <summary>A metric's value in Prometheus text: the sum over its label sets (one for a plain total, one per generation for the heap's).</summary>
    private static double Metric(string text, string name)
    {
        var sum = 0.0;
        var found = false;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(name, StringComparison.Ordinal) && line.Length > name.Length && line[name.Length] is '{' or ' ')
            {
                sum += double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
                found = true;
            }
        }

        return found ? sum : throw new InvalidOperationException($"/metrics has no {name}");
    }

    /// <summary>
    /// Posts batches from <paramref name="clients"/> concurrent clients, the k-th not before k /
    /// <paramref name="batchesPerSecond"/> seconds from the start: a steady offered load that no
    /// client's wait for its answer holds back (while the platform keeps up). Returns the seconds
    /// taken (at least the schedule's span) and the events accepted.
    /// </summary>
    public async Task<(double Seconds, long Accepted)> IngestPacedAsync(string tenant, IReadOnlyList<byte[]> batches, int clients, double batchesPerSecond)
    {
        var stopwatch = Stopwatch.StartNew();
        var accepted = await PostInTurnAsync(tenant, batches, clients, async i =>
        {
            var due = TimeSpan.FromSeconds(i / batchesPerSecond) - stopwatch.Elapsed;
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due);
            }

            return true;
        });
        // The schedule spans one batch interval per batch: a platform that keeps up is timed at
        // the offered rate, not above it because the last batch was answered quickly.
        return (Math.Max(stopwatch.Elapsed.TotalSeconds, batches.Count / batchesPerSecond), accepted);
    }

    /// <summary>
    /// Reads each path in turn, one request at a time, from before <paramref name="load"/> ends
    /// until it has: every read returned was started while the load ran (at least one per path).
    /// </summary>
    public async Task<List<double>[]> ReadLatenciesWhileAsync(Task load, params string[] paths)
    {
        var latencies = paths.Select(_ => new List<double>()).ToArray();
        for (var pass = 0; ; pass++)
        {
            for (var i = 0; i < paths.Length; i++)
            {
                if (load.IsCompleted && pass > 0)
                {
                    return latencies;
                }

                var start = Stopwatch.GetTimestamp();
                await SendAsync(HttpMethod.Get, paths[i], null);
                latencies[i].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }
    }

    /// <summary>Latencies in milliseconds of <paramref name="count"/> sequential reads of a path.</summary>
    public async Task<List<double>> ReadLatenciesAsync(string path, int count)
    {
        var latencies = new List<double>(count);
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await SendAsync(HttpMethod.Get, path, null);
            latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        return latencies;
    }
}

/// <summary>Bytes allocated and seconds paused for garbage collections, as totals since a process started.</summary>
public readonly record struct RuntimeTotals(double Allocated, double Paused)
{
    public static RuntimeTotals operator -(RuntimeTotals after, RuntimeTotals before) => new(after.Allocated - before.Allocated, after.Paused - before.Paused);
}
