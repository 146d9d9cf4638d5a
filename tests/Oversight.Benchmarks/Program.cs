using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Oversight.Benchmarks;
using StackExchange.Redis;

// Usage: dotnet run -c Release --project tests/Oversight.Benchmarks -- [--shape S|M|L] [--events N] [--smoke | --ingest-only | --cluster-only | --pg-only]
//        [--clients N] [--pg-clients 2,4,8] [--skip-pg] [--skip-redis] [--warm-up N]
var options = args.Select((a, i) => (a, i)).Where(p => p.a.StartsWith("--", StringComparison.Ordinal))
    .ToDictionary(p => p.a[2..], p => p.i + 1 < args.Length && !args[p.i + 1].StartsWith("--", StringComparison.Ordinal) ? args[p.i + 1] : "true");
var smoke = options.ContainsKey("smoke");
var shape = options.GetValueOrDefault("shape", "S");
var count = int.Parse(options.GetValueOrDefault("events", smoke ? "3000" : "100000"), CultureInfo.InvariantCulture);
var root = FindRoot();
var results = new List<Figure>();
var stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
var logs = Path.Combine(root, "bench-results", "logs-" + stamp);

Console.WriteLine($"Oversight benchmark: shape {shape}, {count:N0} events per run{(smoke ? " (smoke)" : "")}, {Environment.ProcessorCount} cores");
var workload = new Workload(shape, 42);
var now = DateTimeOffset.UtcNow;
var uniform = workload.Events(count, zipf: false, seed: 1, "u", now);
var zipfEvents = workload.Events(count, zipf: true, seed: 2, "z", now);
var deliveries = uniform.DistinctBy(e => e.Id).Sum(e => (long)e.Targets.Length);
var zipfDeliveries = zipfEvents.DistinctBy(e => e.Id).Sum(e => (long)e.Targets.Length);
List<byte[]> Batches(List<BenchEvent> events, int seed) => [.. events.Chunk(1000).Select((b, i) => workload.Json(b, seed + i))];
var uniformBatches = Batches(uniform, 100);
var zipfBatches = Batches(zipfEvents, 200);
// Fresh uniform events (their own ids) for a tenant whose units a run has woken: the full run's
// reads-under-load pass and `--ingest-only`'s second run. Made when used, not held beside the rest.
List<byte[]> WarmBatches() => Batches(workload.Events(count, zipf: false, seed: 4, "b", now), 300);

// The ceiling: the best of three passes (the first runs while the JIT is still tiering up, and a
// single pass of a few seconds swung by a third between runs of the same build).
var passes = Enumerable.Range(0, smoke ? 1 : 3).Select(_ => InProcessLimit.Run(workload, uniform)).ToList();
var (limit, counted, rootReceived) = passes.MaxBy(p => p.EventsPerSecond);
Console.WriteLine($"in-process limit: {limit:N0} events/s, best of {passes.Count} ({string.Join(", ", passes.Select(p => p.EventsPerSecond.ToString("N0", CultureInfo.InvariantCulture)))}; {counted:N0} counted, {rootReceived:N0} deliveries; generator says {deliveries:N0})");

await using var processes = new Processes(root, logs);
var token = await TokenAsync(root);

// Each system is measured at its own peak concurrency. The platform's ack waits until a batch is
// counted in its units, so a client has one batch in flight at a time and the platform needs many
// clients to fill its rounds: 64 (since the twenty-first session; in alternating `--ingest-only`
// pairs 64 ingested more than 32 with less CPU per event on S, M and L, as fuller rounds make
// fewer calls per event; in the thirteenth session 32 had ingested 13–50% more than 8; see
// `docs/performance.md`). PostgreSQL's batches contend on the ancestors' counter
// rows, so it peaks with few clients (2–4 on S and M, 25% above 8): it runs once per count of
// `--pg-clients`, each into a fresh server, and its best rate is the baseline.
var clients = int.Parse(options.GetValueOrDefault("clients", "64"), CultureInfo.InvariantCulture);
var pgClientCounts = options.GetValueOrDefault("pg-clients", "2,4,8").Split(',').Select(n => int.Parse(n, CultureInfo.InvariantCulture)).ToArray();
// The warm-up: at least a fifth of a run's events and at least 10 s of ingest, at most a run's
// events (`--warm-up N` sets the most). Until the eighteenth session it was a fifth of a run: on S
// that is under a second of work, and alternating `--cluster-only` pairs ran 17-31% faster after
// a warm-up of the run's size (the three processes' CPU per 1,000 events 14.5-16.7 ms against
// 12.1-13.0), the embedded platform 3-5%: the processes had not reached their steady state (heap
// sizes, thread pool) when the timed run began. On L a fifth of a run already takes about 10 s,
// and a run's worth would add a tenant of 13 months to the memory figure's processes.
var warmUp = workload.Events(smoke ? 2_000 : options.TryGetValue("warm-up", out var warmUpCount) ? int.Parse(warmUpCount, CultureInfo.InvariantCulture) : Math.Max(20_000, count), zipf: false, seed: 5, "w", now);
var warmUpBatches = Batches(warmUp, 500);
var warmUpTime = TimeSpan.FromSeconds(smoke ? 0 : 10);
async Task<long> WarmUpAsync(HttpDriver driver) =>
    await driver.WarmUpAsync("bench-w", warmUpBatches, clients, smoke ? warmUpBatches.Count : warmUpBatches.Count / 5, warmUpTime);

// `--cluster-only`: just the Redis durable ingest (cold units), for quick comparisons of cluster mode.
if (options.ContainsKey("cluster-only"))
{
    await RedisAsync();
    return 0;
}

// `--pg-only`: just PostgreSQL's ingest, once per client count of `--pg-clients`.
if (options.ContainsKey("pg-only"))
{
    await PostgresIngestAsync(reads: false);
    return 0;
}

// Embedded mode: one gateway process co-hosting its silo; this process is the load generator.
var (url, gatewayProcess) = processes.Gateway("gateway-embedded", null, Processes.FreePort(), Processes.FreePort(), "bench");
var api = new HttpDriver(url, token);
await api.WaitReadyAsync();
await api.SetupAsync("bench-u", workload);
await api.SetupAsync("bench-z", workload);

// Warm-up on a tenant of its own, so the runtime's JIT has settled before anything is timed. The
// measured tenants' units are still cold: their activations are part of the figures.
await api.SetupAsync("bench-w", workload);
Console.WriteLine($"warmed up on {await WarmUpAsync(api):N0} events of a separate tenant");

// A unit's first checkpoint comes 5-15 s after it activates (then every 10 s while it changes),
// so a run of a few seconds leaves its units' checkpoints to whatever is timed next: with 32
// clients the uniform run (4-7 s on S and M) had left them to the Zipf run (5.8% of its CPU in a
// profile). Each timed embedded run therefore starts once the last run's checkpoints are done,
// and the uniform run's CPU is also reported with the checkpoints that follow it.
var checkpointWave = TimeSpan.FromSeconds(smoke ? 1 : 16);
await Task.Delay(checkpointWave);
// What the collector cost is read from the gateway's own runtime meter: the bytes allocated per
// event and the share of the run the process stood paused (figures that move far less between
// runs on this shared machine than the rate does).
var runtimeBefore = await api.RuntimeTotalsAsync();
var cpuBefore = Processes.CpuTime(gatewayProcess);
var (seconds, accepted) = await api.IngestAsync("bench-u", uniformBatches, clients);
var ingestRate = accepted / seconds;
var cpuPerThousand = (Processes.CpuTime(gatewayProcess) - cpuBefore).TotalMilliseconds / accepted * 1000;
var runtime = await api.RuntimeTotalsAsync() - runtimeBefore;
var allocatedPerEvent = runtime.Allocated / accepted;
var pausedShare = runtime.Paused / seconds;
Console.WriteLine($"embedded ingest: {ingestRate:N0} events/s ({accepted:N0} accepted in {seconds:F1} s; gateway CPU {cpuPerThousand:F2} ms per 1,000 events; {allocatedPerEvent / 1024:F1} KB allocated per event, paused {pausedShare:P1} of the run for collections)");
await Task.Delay(checkpointWave);
var cpuWithCheckpoints = (Processes.CpuTime(gatewayProcess) - cpuBefore).TotalMilliseconds / accepted * 1000;
Console.WriteLine($"with the checkpoints in the {checkpointWave.TotalSeconds:F0} s after it: gateway CPU {cpuWithCheckpoints:F0} ms per 1,000 events");
// Memory as the collector sees it, beside the resident figure (which also holds the young
// generation's budget and memory the collector keeps for reuse): the warm-up tenant's units and
// the first run's are in the process.
var (heapAfterRun, freeAfterRun) = await api.HeapAfterLastCollectionAsync();
Console.WriteLine($"managed heap after the last collection: {heapAfterRun / (workload.Units.Count * 2):N0} bytes per unit, of it {freeAfterRun / (workload.Units.Count * 2):N0} free between objects; resident {Processes.ResidentBytes(gatewayProcess) / (workload.Units.Count * 2.0):N0} bytes per unit");
// Then what is live: a full collection run for the purpose (after the figures above, which it
// would change). The same objects held give the same figure, run after run, so this is the one
// to compare builds by; the warm-up's units and the first run's are held, all idle.
var livePerUnit = await LiveHeap.MeasureAsync(gatewayProcess.Id, TimeSpan.FromSeconds(120)) / (workload.Units.Count * 2.0);
Console.WriteLine($"live managed heap after a full collection: {livePerUnit:N0} bytes per unit");
var rootId = workload.Units[0].Id;

// Backfill: the uniform events again, into a tenant of their own, each batch posted with
// `Prefer: respond-async` (answered once durable while the shard's backlog stays bounded). Timed
// until the root's subtree shows every delivery, not just until the last answer.
async Task<(double Rate, double AckRate)> BackfillAsync(string tenant, bool warm = false)
{
    if (!warm)
    {
        await api.SetupAsync(tenant, workload);
    }

    var before = await api.SubtreeReceivedAsync(tenant, rootId, "last400d");
    var stopwatch = Stopwatch.StartNew();
    var (acked, backfilled) = await api.IngestAsync(tenant, warm ? zipfBatches : uniformBatches, clients, backfill: true);
    await WaitForAsync(async () => await api.SubtreeReceivedAsync(tenant, rootId, "last400d") == before + (warm ? zipfDeliveries : deliveries));
    return (backfilled / stopwatch.Elapsed.TotalSeconds, backfilled / acked);
}

if (options.ContainsKey("ingest-only"))
{
    runtimeBefore = await api.RuntimeTotalsAsync();
    cpuBefore = Processes.CpuTime(gatewayProcess);
    // Fresh uniform events (their own ids) into the same tenant, whose units the first run woke:
    // the same kind of load on warm units. Until the twenty-first session this run sent the Zipf
    // set, whose hot subtrees touch fewer units a round (on L half the unit calls per event of
    // the uniform set), so it measured warmth and skew together.
    var (again, againAccepted) = await api.IngestAsync("bench-u", WarmBatches(), clients);
    runtime = await api.RuntimeTotalsAsync() - runtimeBefore;
    Console.WriteLine($"second run (warm units, fresh uniform events): {againAccepted / again:N0} events/s; gateway CPU {(Processes.CpuTime(gatewayProcess) - cpuBefore).TotalMilliseconds / againAccepted * 1000:F2} ms per 1,000 events; {runtime.Allocated / againAccepted / 1024:F1} KB allocated per event, paused {runtime.Paused / again:P1} of the run for collections");
    var (quick, quickAcks) = await BackfillAsync("bench-b");
    Console.WriteLine($"backfill (cold units, Prefer: respond-async): {quick:N0} events/s counted at the root ({quickAcks:N0} events/s answered)");
    (quick, quickAcks) = await BackfillAsync("bench-b", warm: true);
    Console.WriteLine($"backfill (warm units, Zipf): {quick:N0} events/s counted at the root ({quickAcks:N0} events/s answered)");
    return 0;
}

var (zipfSeconds, zipfAccepted) = await api.IngestAsync("bench-z", zipfBatches, clients);
var zipfRate = zipfAccepted / zipfSeconds;
var midId = workload.Units[workload.Mid].Id;
var lastSeen = -1L;
await WaitForAsync(async () =>
{
    var seen = await api.SubtreeReceivedAsync("bench-u", rootId, "last400d");
    if (seen != lastSeen && options.ContainsKey("verbose"))
    {
        Console.WriteLine($"settling: root {seen} of {deliveries}");
    }

    lastSeen = seen;
    return seen == deliveries;
});

// Idle means idle: the units' last checkpoints after the ingest are done before reads are timed
// (12 s had been enough on S and M; on L the Zipf tenant's 111,111 units were still checkpointing
// and three of the four idle series read p99 8-12 ms).
await Task.Delay(checkpointWave);
Console.WriteLine("settled; measuring reads");
var month = DateTime.UtcNow.AddHours(8).ToString("yyyy-MM", CultureInfo.InvariantCulture);
var year = DateTime.UtcNow.AddHours(8).Year;
string LoadPath(string unit, string period) => $"/api/v1/tenants/bench-u/units/{unit}/load?period={period}&children=true";
var reads = smoke ? 20 : 300;

// The read path warms up on the warm-up tenant first, as ingest did: framework code tiers up after
// its first calls. Without this, the series timed first (root month) had p99 4.95-5.52 ms where the
// others had 1-3 ms; with it, 0.69 ms.
string WarmUpPath(string unit, string period) => $"/api/v1/tenants/bench-w/units/{unit}/load?period={period}&children=true";
foreach (var path in new[] { WarmUpPath(rootId, month), WarmUpPath(rootId, year.ToString(CultureInfo.InvariantCulture)) })
{
    await api.ReadLatenciesAsync(path, reads);
}

var idle = new Dictionary<string, List<double>>
{
    ["root month"] = await api.ReadLatenciesAsync(LoadPath(rootId, month), reads),
    ["root year"] = await api.ReadLatenciesAsync(LoadPath(rootId, year.ToString(CultureInfo.InvariantCulture)), reads),
    ["mid month"] = await api.ReadLatenciesAsync(LoadPath(midId, month), reads),
    ["mid year"] = await api.ReadLatenciesAsync(LoadPath(midId, year.ToString(CultureInfo.InvariantCulture)), reads),
};

Console.WriteLine("measuring freshness");

// Freshness: batches paced at 70% of the peak rate; each is timed from its acknowledgement until
// the root's subtree counters include it. A hundred batches, so that the p99 is not simply the
// slowest of a few (with thirty, one slow collection decided it).
var fresh = workload.Events(smoke ? 3_000 : 100_000, zipf: false, seed: 3, "f", now).DistinctBy(e => e.Id).ToList();
var interval = TimeSpan.FromSeconds(1000 / (0.7 * ingestRate));
var freshness = new List<double>();
// The same batches from posting until visible at the root: the answer waits until a batch is
// counted, and a round reaches the root before it ends, so much of the climb can happen before the
// acknowledgement; this figure includes it.
var postToRoot = new List<double>();
var expected = deliveries;
foreach (var batch in fresh.Chunk(1000))
{
    var started = Stopwatch.GetTimestamp();
    await api.PostBatchAsync("bench-u", workload.Json(batch, 7));
    var acked = Stopwatch.GetTimestamp();
    expected += batch.Sum(e => (long)e.Targets.Length);
    var deadline = DateTime.UtcNow.AddSeconds(30);
    while (await api.SubtreeReceivedAsync("bench-u", rootId, "last400d") < expected && DateTime.UtcNow < deadline)
    {
        await Task.Delay(1);
    }

    freshness.Add(Stopwatch.GetElapsedTime(acked).TotalMilliseconds);
    postToRoot.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    var rest = interval - Stopwatch.GetElapsedTime(started);
    if (rest > TimeSpan.Zero)
    {
        await Task.Delay(rest);
    }
}

Console.WriteLine($"freshness p50 {Percentile(freshness, 50):F0} ms; measuring reads at 70% of peak ingest");

// Reads while ingest runs, the root's month and year in turn, one request at a time, for as long
// as the load lasts. First a steady load offered at 70% of the peak (the freshness pace; the
// platform should keep up and HQ's screen stay live), then the clients at full speed (every core
// busy: reads queue behind the deliveries). Only reads started while the load ran count.
var yearPath = LoadPath(rootId, year.ToString(CultureInfo.InvariantCulture));
var pacedEvents = Math.Min(count, (int)(0.7 * ingestRate * PacedSeconds(smoke)));
var pacedBatches = Batches(workload.Events(pacedEvents, zipf: false, seed: 5, "p", now), 400);
var paced = api.IngestPacedAsync("bench-u", pacedBatches, clients, 0.7 * ingestRate / 1000);
var atPace = await api.ReadLatenciesWhileAsync(paced, LoadPath(rootId, month), yearPath);
var (pacedSeconds, pacedAccepted) = await paced;
var pacedRate = pacedAccepted / pacedSeconds;
Console.WriteLine($"paced ingest: {pacedRate:N0} events/s offered at {0.7 * ingestRate:N0} ({atPace[0].Count + atPace[1].Count} reads); measuring reads under full load");

var load = api.IngestAsync("bench-u", WarmBatches(), clients);
var atFull = await api.ReadLatenciesWhileAsync(load, LoadPath(rootId, month), yearPath);
var underLoad = new Dictionary<string, (List<double> Paced, List<double> Full)>
{
    ["root month"] = (atPace[0], atFull[0]),
    ["root year"] = (atPace[1], atFull[1]),
};
// The same pass gives a rate on warm units: fresh uniform events into the tenant the first run
// woke, with the reads beside it (a few hundred sequential requests) and the Zipf tenant's units
// and the warm-up's in the process too (on L, 333,333 units; `--ingest-only` times warm units
// with two tenants' units held).
var (warmSeconds, warmAccepted) = await load;
var warmRate = warmAccepted / warmSeconds;
// Every unit the process holds: the measured tenants' and the warm-up tenant's.
var memoryPerUnit = Processes.ResidentBytes(gatewayProcess) / (double)(workload.Units.Count * 3);
var (heap, heapFree) = await api.HeapAfterLastCollectionAsync();

// After the memory figure: the backfill adds a fourth tenant's units to the process.
var (backfillRate, backfillAckRate) = await BackfillAsync("bench-b");
Console.WriteLine($"backfill: {backfillRate:N0} events/s counted at the root ({backfillAckRate:N0} events/s answered)");

// The embedded platform is measured: stop it, so PostgreSQL and Redis mode have the machine to
// themselves (its checkpoint and maintenance timers and a 3 GB heap stayed behind otherwise).
await Processes.StopAsync(gatewayProcess);

// PostgreSQL, the same events, done the way a competent team would.
var (pgRate, pgBestClients, pgCteP50, pgCounterP50) = options.ContainsKey("skip-pg") ? (double.NaN, 0, double.NaN, double.NaN) : await PostgresIngestAsync(reads: true);

var (redisRate, commandsPerEvent, clusterCpu) = options.ContainsKey("skip-redis") ? (double.NaN, double.NaN, double.NaN) : await RedisAsync();

var machine = $"{Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1L << 30)} GiB, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}";
results.Add(new Figure($"ingest, embedded (events/s; {clients} clients; PostgreSQL at its best, {pgBestClients} clients)", ingestRate, pgRate, ingestRate / pgRate, "≥ 40,000; ≥ 10× PostgreSQL"));
results.Add(new Figure("ingest, embedded (deliveries/s)", ingestRate * deliveries / counted, double.NaN, double.NaN, ""));
results.Add(new Figure("ingest, embedded, warm units while reads run (events/s; fresh uniform events into the first run's tenant during the reads under load, the process holding three tenants' units; baseline: the first run)", warmRate, ingestRate, warmRate / ingestRate, "report"));
results.Add(new Figure("backfill, embedded (events/s until counted at the root; Prefer: respond-async)", backfillRate, pgRate, backfillRate / pgRate, "≥ 10× PostgreSQL"));
results.Add(new Figure("gateway+silo CPU per 1,000 events ingested (ms)", cpuPerThousand, double.NaN, double.NaN, "report, then lower"));
results.Add(new Figure($"the same with the units' checkpoints in the {checkpointWave.TotalSeconds:F0} s after the run (ms)", cpuWithCheckpoints, double.NaN, double.NaN, "report, then lower"));
results.Add(new Figure("gateway allocation per event ingested (KB)", Math.Round(allocatedPerEvent / 1024, 1), double.NaN, double.NaN, "report, then lower"));
results.Add(new Figure("share of the ingest run the gateway was paused for garbage collection (%)", Math.Round(pausedShare * 100, 1), double.NaN, double.NaN, "report, then lower"));
results.Add(new Figure("ingest vs in-process limit (events/s)", ingestRate, limit, ingestRate / limit, "report; raise every round"));
results.Add(new Figure("ingest, Redis durable (events/s)", redisRate, ingestRate, redisRate / ingestRate, "≥ 0.8× embedded"));
results.Add(new Figure("gateway+silo+Redis CPU per 1,000 events ingested, Redis durable (ms)", clusterCpu, double.NaN, double.NaN, "report, then lower"));
results.Add(new Figure("Redis commands per event", commandsPerEvent, double.NaN, double.NaN, "≤ 0.1"));
results.Add(new Figure("skew: Zipf vs uniform ingest (events/s)", zipfRate, ingestRate, zipfRate / ingestRate, "≥ 0.9×"));
results.Add(new Figure("freshness p50 (ms, at 70% of peak)", Percentile(freshness, 50), double.NaN, double.NaN, "p99 ≤ 1,000 (aim 250)"));
results.Add(new Figure("freshness p99 (ms, at 70% of peak)", Percentile(freshness, 99), double.NaN, double.NaN, "≤ 1,000"));
results.Add(new Figure("post → visible at the root p50/p99 (ms, the same batches)", Percentile(postToRoot, 50), Percentile(postToRoot, 99), double.NaN, "report"));
foreach (var (name, latencies) in idle)
{
    results.Add(new Figure($"read {name} p50/p99 idle (ms)", Percentile(latencies, 50), Percentile(latencies, 99), double.NaN, "p99 ≤ 5"));
}

results.Add(new Figure("ingest at 70% of peak while reads run (events/s; offered 70% of the first run's rate to its tenant, steadily)", pacedRate, ingestRate, pacedRate / ingestRate, "0.70× (keeps up)"));
foreach (var (name, (atPaceOf, atFullOf)) in underLoad)
{
    results.Add(new Figure($"read {name} p50/p99 at 70% of peak ingest (ms; {atPaceOf.Count} reads, one at a time, while the paced load ran)", Percentile(atPaceOf, 50), Percentile(atPaceOf, 99), double.NaN, "report"));
}

foreach (var (name, (_, atFullOf)) in underLoad)
{
    results.Add(new Figure($"read {name} p50/p99 under full ingest load (ms; {atFullOf.Count} reads while {clients} clients ingest at full speed)", Percentile(atFullOf, 50), Percentile(atFullOf, 99), double.NaN, "report"));
}

results.Add(new Figure("root year read vs PostgreSQL recursive CTE (p50 ms)", Percentile(idle["root year"], 50), pgCteP50, pgCteP50 / Percentile(idle["root year"], 50), "≥ 50× faster"));
results.Add(new Figure("root year read vs PostgreSQL counter table (p50 ms)", Percentile(idle["root year"], 50), pgCounterP50, pgCounterP50 / Percentile(idle["root year"], 50), "report"));
results.Add(new Figure("gateway+silo resident memory per unit (bytes)", memoryPerUnit, double.NaN, double.NaN, "report, then lower"));
results.Add(new Figure("of it, the managed heap after the last collection per unit (bytes; garbage in generations it did not collect included)", heap / (workload.Units.Count * 3), double.NaN, double.NaN, "report, then lower"));
results.Add(new Figure("of that, free space between objects per unit (bytes)", heapFree / (workload.Units.Count * 3), double.NaN, double.NaN, "report"));
results.Add(new Figure("live managed heap per unit after a full collection (bytes; after the first run and its checkpoints, two tenants' units held)", livePerUnit, double.NaN, double.NaN, "report, then lower"));

Console.WriteLine();
Console.WriteLine($"| figure (shape {shape}, {count:N0} events) | value | baseline | ratio | goal |");
Console.WriteLine("| --- | ---: | ---: | ---: | --- |");
foreach (var f in results)
{
    Console.WriteLine($"| {f.Name} | {Format(f.Value)} | {Format(f.Baseline)} | {(double.IsNaN(f.Ratio) ? "" : f.Ratio.ToString("0.00", CultureInfo.InvariantCulture) + "×")} | {f.Goal} |");
}

Console.WriteLine($"Machine: {machine}");
Directory.CreateDirectory(Path.Combine(root, "bench-results"));
var file = Path.Combine(root, "bench-results", $"{shape}-{stamp}.json");
await File.WriteAllTextAsync(file, JsonSerializer.Serialize(new { shape, events = count, smoke, machine, figures = results }, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
Console.WriteLine($"Wrote {file}");
return 0;

// PostgreSQL's ingest once per client count, each into a fresh server; the best rate, its client
// count, and (from the last server) the root-year read by recursive CTE and by the counter table.
async Task<(double Rate, int Clients, double CteP50, double CounterP50)> PostgresIngestAsync(bool reads)
{
    var best = (Rate: double.NaN, Clients: 0);
    double cteP50 = double.NaN, counterP50 = double.NaN;
    var thisYear = DateTime.UtcNow.AddHours(8).Year;
    for (var i = 0; i < pgClientCounts.Length; i++)
    {
        await using var pg = new Postgres();
        await pg.StartAsync();
        await pg.LoadTreeAsync(workload);
        var rate = counted / await pg.IngestAsync(workload, uniform, 1000, pgClientCounts[i]);
        Console.WriteLine($"postgres ingest, {pgClientCounts[i]} clients: {rate:N0} events/s");
        if (double.IsNaN(best.Rate) || rate > best.Rate)
        {
            best = (rate, pgClientCounts[i]);
        }

        if (reads && i == pgClientCounts.Length - 1)
        {
            var rootUnit = workload.Units[0].Id;
            var (cte, pgTotal) = await pg.RootYearByCteAsync(rootUnit, thisYear, smoke ? 3 : 10);
            cteP50 = Percentile(cte, 50);
            counterP50 = Percentile(await pg.RootYearByCountersAsync(rootUnit, thisYear, smoke ? 20 : 300), 50);
            Console.WriteLine($"postgres: best {best.Rate:N0} events/s ({best.Clients} clients); root year by CTE p50 {cteP50:F1} ms ({pgTotal:N0} deliveries)");
        }
    }

    return (best.Rate, best.Clients, cteP50, counterP50);
}

// Redis durable mode: a Redis, one silo and one gateway; commands per event from INFO commandstats,
// and the CPU the three processes spent per 1,000 events of the measured ingest.
async Task<(double Rate, double CommandsPerEvent, double CpuPerThousand)> RedisAsync()
{
    var redisPort = Processes.FreePort();
    var redisDir = Directory.CreateTempSubdirectory("oversight-bench-redis-").FullName;
    var redisProcess = processes.Start("redis", "redis-server", ["--port", redisPort.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", redisDir, "--appendonly", "yes", "--appendfsync", "everysec", "--save", ""]);
    var redis = $"127.0.0.1:{redisPort}";
    await WaitForAsync(async () => { try { using var c = await ConnectionMultiplexer.ConnectAsync(redis); return true; } catch (RedisConnectionException) { return false; } });
    var silo = processes.Silo("silo", redis, Processes.FreePort(), Processes.FreePort(), "bench");
    var (clusterUrl, clusterGateway) = processes.Gateway("gateway-cluster", redis, Processes.FreePort(), Processes.FreePort(), "bench");
    var cluster = new HttpDriver(clusterUrl, token);
    await cluster.WaitReadyAsync();
    await cluster.SetupAsync("bench-u", workload);
    await cluster.SetupAsync("bench-w", workload);
    Console.WriteLine($"redis: warmed up on {await WarmUpAsync(cluster):N0} events of a separate tenant");
    using var connection = await ConnectionMultiplexer.ConnectAsync(redis + ",allowAdmin=true");
    var server = connection.GetServer(redis);

    // Commands caused by the measured ingest: counting starts once the warm-up tenant's units have
    // made their last checkpoint, and ends once the measured units have made theirs.
    var quiet = TimeSpan.FromSeconds(12);
    await Task.Delay(quiet);
    await server.ExecuteAsync("CONFIG", "RESETSTAT");
    Console.WriteLine("redis: warmed up; measuring ingest");
    Process[] clusterProcesses = [clusterGateway, silo, redisProcess];
    var cpuBefore = clusterProcesses.Select(Processes.CpuTime).ToArray();
    var (redisSeconds, redisAccepted) = await cluster.IngestAsync("bench-u", uniformBatches, clients);
    var cpu = clusterProcesses.Select((p, i) => (Processes.CpuTime(p) - cpuBefore[i]).TotalMilliseconds / redisAccepted * 1000).ToArray();
    var redisRate = redisAccepted / redisSeconds;
    await Task.Delay(quiet);
    var stats = (string)(await server.ExecuteAsync("INFO", "commandstats"))!;
    var calls = stats.Split('\n').Where(l => l.StartsWith("cmdstat_", StringComparison.Ordinal) && !l.StartsWith("cmdstat_info", StringComparison.Ordinal) && !l.StartsWith("cmdstat_config", StringComparison.Ordinal))
        .Sum(l => long.Parse(l.Split("calls=")[1].Split(',')[0], CultureInfo.InvariantCulture));
    var commandsPerEvent = calls / (double)redisAccepted;
    var top = stats.Split('\n').Where(l => l.StartsWith("cmdstat_", StringComparison.Ordinal))
        .Select(l => (Name: l[8..l.IndexOf(':', StringComparison.Ordinal)], Calls: long.Parse(l.Split("calls=")[1].Split(',')[0], CultureInfo.InvariantCulture)))
        .OrderByDescending(c => c.Calls).Take(6);
    Console.WriteLine($"redis ingest: {redisRate:N0} events/s; {calls:N0} Redis commands ({string.Join(", ", top.Select(c => $"{c.Name} {c.Calls:N0}"))}); CPU per 1,000 events: gateway {cpu[0]:F1} ms, silo {cpu[1]:F1} ms, redis {cpu[2]:F1} ms");
    return (redisRate, commandsPerEvent, cpu.Sum());
}

static string Format(double value) => double.IsNaN(value) ? "" : value >= 100 ? value.ToString("N0", CultureInfo.InvariantCulture) : value.ToString("0.##", CultureInfo.InvariantCulture);

// How long the paced load of the reads at 70% of peak lasts (at the first run's rate).
static double PacedSeconds(bool smoke) => smoke ? 1 : 6;

static double Percentile(List<double> values, double p)
{
    if (values.Count == 0)
    {
        return double.NaN;
    }

    var sorted = values.Order().ToArray();
    return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p / 100 * sorted.Length) - 1)];
}

static async Task WaitForAsync(Func<Task<bool>> condition)
{
    var deadline = DateTime.UtcNow.AddMinutes(5);
    while (!await condition())
    {
        if (DateTime.UtcNow > deadline)
        {
            throw new TimeoutException("the platform did not settle in 5 minutes");
        }

        await Task.Delay(20);
    }
}

static async Task<string> TokenAsync(string root)
{
    var info = new ProcessStartInfo("dotnet", [Path.Combine(root, "gateway/bin/Release/net10.0/Oversight.Gateway.dll"), "token", "--role", "admin"]) { RedirectStandardOutput = true, UseShellExecute = false };
    info.Environment["Oversight__Auth__SigningKey"] = Processes.SigningKey;
    using var process = Process.Start(info)!;
    var token = (await process.StandardOutput.ReadToEndAsync()).Trim();
    await process.WaitForExitAsync();
    return token;
}

static string FindRoot()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Oversight.sln")))
    {
        dir = dir.Parent;
    }

    return dir?.FullName ?? throw new InvalidOperationException("run from inside the repository");
}

/// <summary>One row of the report.</summary>
internal sealed record Figure(string Name, double Value, double Baseline, double Ratio, string Goal);
