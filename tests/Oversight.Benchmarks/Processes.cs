using System.Diagnostics;

namespace Oversight.Benchmarks;

/// <summary>Starts the platform's processes from the Release build, on free loopback ports.</summary>
public sealed class Processes : IAsyncDisposable
{
    public const string SigningKey = "bench-signing-key-0123456789abcdef-0123456789";

    private readonly List<Process> _started = [];
    private readonly string _root;
    private readonly string _logs;

    public Processes(string root, string logs)
    {
        _root = root;
        _logs = logs;
        Directory.CreateDirectory(logs);
    }

    /// <summary>A free loopback port, never one handed out before in this run (see <see cref="Oversight.Tests.Ports"/>).</summary>
    public static int FreePort() => Oversight.Tests.Ports.Free();

    public Process Start(string name, string file, IEnumerable<string> args, IDictionary<string, string>? env = null)
    {
        var info = new ProcessStartInfo(file, args) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _root };
        info.Environment["DOTNET_NOLOGO"] = "1";

        // The gen0 budget the README recommends for heavy ingest (the runtime reads it only from
        // the environment); a value already set is kept, for comparisons.
        info.Environment.TryAdd("DOTNET_GCgen0size", "0x20000000");
        foreach (var (k, v) in env ?? new Dictionary<string, string>())
        {
            info.Environment[k] = v;
        }

        var process = Process.Start(info)!;
        var log = new StreamWriter(Path.Combine(_logs, name + ".log")) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _started.Add(process);
        return process;
    }

    /// <summary>Starts a gateway (embedded, or a client of a Redis cluster); returns its base address.</summary>
    public (string Url, Process Process) Gateway(string name, string? redis, int siloPort, int gatewayPort, string serviceId)
    {
        var port = FreePort();
        var env = OrleansEnvironment($"http://127.0.0.1:{port}", siloPort, gatewayPort, serviceId);
        env["Oversight__Auth__SigningKey"] = SigningKey;
        env["Oversight__RateLimit__PermitsPerWindow"] = "100000000";
        if (redis is not null)
        {
            env["ConnectionStrings__Redis"] = redis;
        }

        var process = Start(name, "dotnet", [Path.Combine(_root, "gateway/bin/Release/net10.0/Oversight.Gateway.dll")], env);
        return ($"http://127.0.0.1:{port}", process);
    }

    public Process Silo(string name, string redis, int siloPort, int gatewayPort, string serviceId)
    {
        var env = OrleansEnvironment("http://127.0.0.1:0", siloPort, gatewayPort, serviceId);
        env["ConnectionStrings__Redis"] = redis;
        return Start(name, "dotnet", [Path.Combine(_root, "silo/bin/Release/net10.0/Oversight.Silo.dll")], env);
    }

    /// <summary>What every process of the platform is started with: where it listens and which cluster it is in.</summary>
    private static Dictionary<string, string> OrleansEnvironment(string urls, int siloPort, int gatewayPort, string serviceId) => new()
    {
        ["ASPNETCORE_URLS"] = urls,
        ["Orleans__Endpoints__SiloPort"] = siloPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Orleans__Endpoints__GatewayPort"] = gatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Orleans__ServiceId"] = serviceId,
        ["Logging__LogLevel__Default"] = "Warning",
    };

    public async ValueTask DisposeAsync()
    {
        foreach (var process in Enumerable.Reverse(_started))
        {
            await StopAsync(process);
        }
    }

    /// <summary>Stops a process this started (its timers would otherwise keep taking CPU from what is measured next).</summary>
    public static async Task StopAsync(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    /// <summary>CPU time the process has used so far (user and system).</summary>
    public static TimeSpan CpuTime(Process process)
    {
        process.Refresh();
        return process.TotalProcessorTime;
    }

    /// <summary>Resident memory of a process in bytes.</summary>
    public static long ResidentBytes(Process process)
    {
        foreach (var line in File.ReadLines($"/proc/{process.Id}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line[6..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }
}
