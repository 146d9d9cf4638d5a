using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;

namespace Oversight.Benchmarks;

/// <summary>
/// The baseline a competent team would build on PostgreSQL: batched transactions of 1,000 events,
/// an events table, a deliveries table, and per-unit-per-day counters kept for each unit and all its
/// ancestors with INSERT … ON CONFLICT DO UPDATE (aggregated per batch on the client).
/// </summary>
public sealed class Postgres : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("oversight-pg-").FullName;
    private readonly int _port = Processes.FreePort();
    private readonly string _bin;
    private NpgsqlDataSource? _source;

    public Postgres()
    {
        _bin = Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).OrderDescending().FirstOrDefault(Directory.Exists)
            ?? throw new InvalidOperationException("PostgreSQL is not installed (apt-get install postgresql).");
    }

    public async Task StartAsync()
    {
        var asRoot = Environment.UserName == "root";
        if (asRoot)
        {
            Run("chown", $"postgres {_directory}");
        }

        Run(asRoot ? "runuser" : Path.Combine(_bin, "initdb"), asRoot ? $"-u postgres -- {_bin}/initdb -D {_directory}/data -A trust -U bench" : $"-D {_directory}/data -A trust -U bench");
        Run(asRoot ? "runuser" : Path.Combine(_bin, "pg_ctl"), (asRoot ? $"-u postgres -- {_bin}/pg_ctl" : "") + $" -D {_directory}/data -l {_directory}/server.log -o \"-p {_port} -k {_directory} -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on\" -w start");
        _source = NpgsqlDataSource.Create($"Host=127.0.0.1;Port={_port};Username=bench;Database=postgres;Pooling=true");
        await using var cmd = _source.CreateCommand("""
            CREATE TABLE units (id text PRIMARY KEY, parent text);
            CREATE INDEX ON units (parent);
            CREATE TABLE events (id text PRIMARY KEY, kind smallint, source text, day date, minutes int, days int);
            CREATE TABLE deliveries (event_id text, unit text, day date, kind smallint, minutes int, days int);
            CREATE INDEX ON deliveries (unit, day);
            CREATE TABLE counters (unit text, day date, kind smallint, received bigint, issued bigint, minutes bigint, days bigint, PRIMARY KEY (unit, day, kind));
            """);
        await cmd.ExecuteNonQueryAsync();
    }

    public async Task LoadTreeAsync(Workload workload)
    {
        await using var writer = await _source!.OpenConnectionAsync();
        await using var import = await writer.BeginBinaryImportAsync("COPY units (id, parent) FROM STDIN (FORMAT BINARY)");
        foreach (var u in workload.Units)
        {
            await import.StartRowAsync();
            await import.WriteAsync(u.Id);
            await import.WriteAsync(u.Parent < 0 ? null : workload.Units[u.Parent].Id, NpgsqlDbType.Text);
        }

        await import.CompleteAsync();
    }

    /// <summary>Ingests in transactions of <paramref name="batchSize"/>; returns elapsed seconds.</summary>
    public async Task<double> IngestAsync(Workload workload, IReadOnlyList<BenchEvent> events, int batchSize, int clients)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
        var stopwatch = Stopwatch.StartNew();
        var batches = events.Chunk(batchSize).ToList();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
        {
            await using var connection = await _source!.OpenConnectionAsync();
            for (var i = c; i < batches.Count; i += clients)
            {
                for (var attempt = 0; ; attempt++)
                {
                    try
                    {
                        await IngestBatchAsync(connection, workload, batches[i], zone);
                        break;
                    }
                    catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure && attempt < 10)
                    {
                        // Concurrent batches repeating an id can still meet; a competent client retries.
                    }
                }
            }
        }));
        return stopwatch.Elapsed.TotalSeconds;
    }

    private static async Task IngestBatchAsync(NpgsqlConnection connection, Workload workload, BenchEvent[] batch, TimeZoneInfo zone)
    {
        await using var tx = await connection.BeginTransactionAsync();
        // Ids in a fixed order so concurrent transactions take their index locks in the same order.
        var unique = batch.DistinctBy(e => e.Id).OrderBy(e => e.Id, StringComparer.Ordinal).ToArray();
        var days = unique.Select(e => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(e.OccurredAt, zone).DateTime)).ToArray();
        await using var insert = new NpgsqlCommand("""
            INSERT INTO events (id, kind, source, day, minutes, days)
            SELECT * FROM unnest(@ids, @kinds, @sources, @days, @minutes, @ndays) ON CONFLICT (id) DO NOTHING RETURNING id
            """, connection, tx);
        insert.Parameters.AddWithValue("ids", unique.Select(e => e.Id).ToArray());
        insert.Parameters.AddWithValue("kinds", unique.Select(e => (short)e.Kind).ToArray());
        insert.Parameters.AddWithValue("sources", unique.Select(e => workload.Units[e.Source].Id).ToArray());
        insert.Parameters.AddWithValue("days", days);
        insert.Parameters.AddWithValue("minutes", unique.Select(e => e.Minutes).ToArray());
        insert.Parameters.AddWithValue("ndays", unique.Select(e => e.Days).ToArray());
        var fresh = new HashSet<string>(StringComparer.Ordinal);
        await using (var reader = await insert.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                fresh.Add(reader.GetString(0));
            }
        }

        var deliveries = new List<(string Event, string Unit, DateOnly Day, short Kind, int Minutes, int Days)>();
        var counters = new Dictionary<(int Unit, DateOnly Day, short Kind), long[]>();
        for (var i = 0; i < unique.Length; i++)
        {
            var e = unique[i];
            if (!fresh.Contains(e.Id))
            {
                continue;
            }

            foreach (var t in e.Targets)
            {
                deliveries.Add((e.Id, workload.Units[t].Id, days[i], (short)e.Kind, e.Minutes, e.Days));
                for (var u = t; u >= 0; u = workload.Units[u].Parent)
                {
                    Add(counters, (u, days[i], (short)e.Kind), 1, 0, e.Minutes, e.Days);
                }
            }

            for (var u = e.Source; u >= 0; u = workload.Units[u].Parent)
            {
                Add(counters, (u, days[i], (short)e.Kind), 0, 1, 0, 0);
            }
        }

        await using (var copy = await connection.BeginBinaryImportAsync("COPY deliveries (event_id, unit, day, kind, minutes, days) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var d in deliveries)
            {
                await copy.StartRowAsync();
                await copy.WriteAsync(d.Event);
                await copy.WriteAsync(d.Unit);
                await copy.WriteAsync(d.Day);
                await copy.WriteAsync(d.Kind);
                await copy.WriteAsync(d.Minutes);
                await copy.WriteAsync(d.Days);
            }

            await copy.CompleteAsync();
        }

        var keys = counters.Keys.OrderBy(k => k.Unit).ThenBy(k => k.Day).ThenBy(k => k.Kind).ToArray();
        await using var upsert = new NpgsqlCommand("""
            INSERT INTO counters (unit, day, kind, received, issued, minutes, days)
            SELECT * FROM unnest(@units, @days, @kinds, @received, @issued, @minutes, @ndays)
            ON CONFLICT (unit, day, kind) DO UPDATE SET received = counters.received + excluded.received,
              issued = counters.issued + excluded.issued, minutes = counters.minutes + excluded.minutes, days = counters.days + excluded.days
            """, connection, tx);
        upsert.Parameters.AddWithValue("units", keys.Select(k => workload.Units[k.Unit].Id).ToArray());
        upsert.Parameters.AddWithValue("days", keys.Select(k => k.Day).ToArray());
        upsert.Parameters.AddWithValue("kinds", keys.Select(k => k.Kind).ToArray());
        upsert.Parameters.AddWithValue("received", keys.Select(k => counters[k][0]).ToArray());
        upsert.Parameters.AddWithValue("issued", keys.Select(k => counters[k][1]).ToArray());
        upsert.Parameters.AddWithValue("minutes", keys.Select(k => counters[k][2]).ToArray());
        upsert.Parameters.AddWithValue("ndays", keys.Select(k => counters[k][3]).ToArray());
        await upsert.ExecuteNonQueryAsync();
        await tx.CommitAsync();
    }

    private static void Add(Dictionary<(int, DateOnly, short), long[]> counters, (int, DateOnly, short) key, long received, long issued, long minutes, long days)
    {
        if (!counters.TryGetValue(key, out var v))
        {
            counters[key] = v = new long[4];
        }

        v[0] += received;
        v[1] += issued;
        v[2] += minutes;
        v[3] += days;
    }

    /// <summary>The year at the root, answered by a recursive CTE over the deliveries (latencies in ms).</summary>
    public async Task<(List<double> Latencies, long Total)> RootYearByCteAsync(string root, int year, int count)
    {
        var latencies = new List<double>();
        long total = 0;
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await using var cmd = _source!.CreateCommand("""
                WITH RECURSIVE sub AS (SELECT id FROM units WHERE id = @root UNION ALL SELECT u.id FROM units u JOIN sub ON u.parent = sub.id)
                SELECT kind, count(*) FROM deliveries d JOIN sub ON d.unit = sub.id
                WHERE d.day >= make_date(@year, 1, 1) AND d.day < make_date(@year + 1, 1, 1) GROUP BY kind
                """);
            cmd.Parameters.AddWithValue("root", root);
            cmd.Parameters.AddWithValue("year", year);
            total = 0;
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                total += reader.GetInt64(1);
            }

            latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        return (latencies, total);
    }

    /// <summary>The same question from the counter table.</summary>
    public async Task<List<double>> RootYearByCountersAsync(string root, int year, int count)
    {
        var latencies = new List<double>();
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await using var cmd = _source!.CreateCommand("SELECT kind, sum(received) FROM counters WHERE unit = @root AND day >= make_date(@year, 1, 1) AND day < make_date(@year + 1, 1, 1) GROUP BY kind");
            cmd.Parameters.AddWithValue("root", root);
            cmd.Parameters.AddWithValue("year", year);
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
            }

            latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        return latencies;
    }

    public async ValueTask DisposeAsync()
    {
        if (_source is not null)
        {
            await _source.DisposeAsync();
            var asRoot = Environment.UserName == "root";
            Run(asRoot ? "runuser" : Path.Combine(_bin, "pg_ctl"), (asRoot ? $"-u postgres -- {_bin}/pg_ctl" : "") + $" -D {_directory}/data -m fast stop");
        }

        Directory.Delete(_directory, recursive: true);
    }

    private static void Run(string file, string args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false })!;
        var error = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {args}: {error.Result}");
        }
    }
}
