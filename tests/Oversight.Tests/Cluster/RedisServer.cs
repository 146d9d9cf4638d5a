using System.Diagnostics;
using StackExchange.Redis;

namespace Oversight.Tests.Cluster;

/// <summary>
/// A real <c>redis-server</c> on a free loopback port, with AOF on, in a temporary directory;
/// stopped with the fixture. CI installs it; a machine without it fails here, loudly.
/// </summary>
public sealed class RedisServer : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("oversight-redis-").FullName;
    private Process? _process;

    public int Port { get; } = Ports.Free();

    public string ConnectionString => $"127.0.0.1:{Port}";

    public async Task InitializeAsync()
    {
        _process = Process.Start(new ProcessStartInfo("redis-server",
            ["--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", _directory, "--appendonly", "yes", "--save", ""])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("redis-server did not start; install it (apt-get install redis-server).");

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            try
            {
                using var connection = await ConnectionMultiplexer.ConnectAsync(ConnectionString);
                await connection.GetDatabase().PingAsync();
                return;
            }
            catch (RedisConnectionException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }

    public Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            _process.WaitForExit();
        }

        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }
}
