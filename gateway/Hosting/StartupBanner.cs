using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Oversight.Gateway.Auth;

namespace Oversight.Gateway.Hosting;

/// <summary>Tells a newcomer, once the server listens, where the API is and how to call it.</summary>
public sealed partial class StartupBanner(IServer server, IHostApplicationLifetime lifetime, AuthOptions auth, IConfiguration configuration, ILogger<StartupBanner> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(Announce);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Announce()
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        foreach (var address in addresses)
        {
            LogListening(logger, address);
        }

        if (OrleansHosting.IsEmbedded(configuration))
        {
            LogEmbedded(logger);
        }
        else
        {
            LogCluster(logger);
        }

        if (auth.KeyGenerated)
        {
            LogGeneratedKey(logger);

            // The token goes to the console only, never to the log pipeline.
            var token = TokenIssuer.Issue(auth.SigningKey!, Roles.Admin, null, null, null, TimeSpan.FromDays(1));
            Console.WriteLine();
            Console.WriteLine("Admin token (valid 24 h, for this run's generated key):");
            Console.WriteLine(token);
            Console.WriteLine($"Try: curl -H \"Authorization: Bearer $TOKEN\" {addresses.FirstOrDefault() ?? "http://localhost:5000"}/api/v1/tenants");
            Console.WriteLine();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Oversight API and dashboard at {Address}/ (OpenAPI at /openapi/v1.json)")]
    private static partial void LogListening(ILogger logger, string address);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Embedded mode: one process, in-memory state. Nothing survives a restart; set ConnectionStrings__Redis for a durable cluster.")]
    private static partial void LogEmbedded(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster mode: this gateway is a client of the Redis-backed cluster; it hosts no silo.")]
    private static partial void LogCluster(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No signing key configured (Oversight__Auth__SigningKey): generated one for this run; tokens die with the process.")]
    private static partial void LogGeneratedKey(ILogger logger);
}
