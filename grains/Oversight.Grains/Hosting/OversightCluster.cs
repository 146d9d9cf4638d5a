using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Persistence;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.Storage;
using Oversight.Grains.Log;
using Oversight.Grains.Storage;
using StackExchange.Redis;

namespace Oversight.Grains.Hosting;

/// <summary>Cluster mode: Redis membership, grain state and ingest log; silos on configurable ports.</summary>
public static class OversightCluster
{
    /// <summary>How often a silo re-reads the membership table (Orleans' default is 60 s).</summary>
    public static readonly TimeSpan MembershipRefresh = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Connects to Redis (failing fast with a clear message), then configures clustering, grain
    /// storage and the durable log. Endpoints advertise <c>Orleans:Endpoints:AdvertisedIP</c>
    /// (default 127.0.0.1, so silos on one machine find each other over loopback).
    /// </summary>
    public static ISiloBuilder AddOversightCluster(this ISiloBuilder silo, IConfiguration configuration, string redisConnectionString)
    {
        var (clusterId, serviceId, siloPort, gatewayPort) = ClusterSettings.Read(configuration);
        var advertised = IPAddress.Parse(configuration.GetValue("Orleans:Endpoints:AdvertisedIP", "127.0.0.1")!);
        EnsurePortFree(advertised, siloPort, "Orleans__Endpoints__SiloPort");
        EnsurePortFree(advertised, gatewayPort, "Orleans__Endpoints__GatewayPort");
        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = clusterId;
            o.ServiceId = serviceId;
        });
        silo.ConfigureEndpoints(advertised, siloPort, gatewayPort, listenOnAnyHostAddress: false);
        var redis = Connect(redisConnectionString);
        silo.UseRedisClustering(o => o.ConfigurationOptions = ConfigurationOptions.Parse(redis.Configuration));

        // A silo restarted on its old address declares its previous generation dead when it
        // starts. When two restarted silos write the membership table at once, that write can lose
        // the race and is only tried again at the next periodic table refresh (60 s by default).
        // Until then the dead generation keeps its share of the grain directory, and grains hashed
        // there fail to activate (a chaos run's full restart saw a subtree short for over 60 s).
        // One read of the table every 10 s per silo is cheap; recovery waits at most that long.
        silo.Configure<ClusterMembershipOptions>(o => o.TableRefreshTimeout = MembershipRefresh);

        // The refresh alone was not enough: see StaleGenerationReaper.
        silo.Services.AddHostedService<StaleGenerationReaper>();
        return silo.AddOversightRedisState(redis, serviceId);
    }

    /// <summary>Grain state and the ingest log in Redis (membership is configured separately).</summary>
    public static ISiloBuilder AddOversightRedisState(this ISiloBuilder silo, ConnectionMultiplexer redis, string serviceId)
    {
        silo.AddRedisGrainStorage(StorageNames.Store, o => o.ConfigurationOptions = ConfigurationOptions.Parse(redis.Configuration));

        // Orleans' own binary format: compact, version-tolerant by [Id], and exact for our records.
        silo.Services.AddOptions<RedisStorageOptions>(StorageNames.Store)
            .Configure<Serializer>((o, serializer) => o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer));
        silo.Services.AddSingleton<IConnectionMultiplexer>(redis);
        silo.Services.AddGrainStorage(StorageNames.Units, (services, _) => new RedisGroupedStore(
            redis,
            $"oversight:{serviceId}",
            new OrleansGrainStorageSerializer(services.GetRequiredService<Serializer>()),
            services.GetRequiredService<ILogger<RedisGroupedStore>>()));
        silo.Services.AddSingleton<IEventLog>(new RedisEventLog(redis, $"oversight:{serviceId}"));

        // Reminders (the report due-time check) in Redis, on the shared connection: a reminder
        // activates its grain again after a full restart.
        silo.UseRedisReminderService(o =>
        {
            o.ConfigurationOptions = ConfigurationOptions.Parse(redis.Configuration);
            o.CreateMultiplexer = _ => Task.FromResult<(IConnectionMultiplexer, bool)>((redis, true));
        });
        return silo.AddOversightGrains();
    }

    /// <summary>Connects, or throws a message an operator can act on.</summary>
    public static ConnectionMultiplexer Connect(string connectionString)
    {
        ConfigurationOptions options;
        try
        {
            options = ConfigurationOptions.Parse(connectionString);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidOperationException($"ConnectionStrings__Redis is not a valid Redis connection string: {ex.Message}", ex);
        }

        options.AbortOnConnectFail = true;
        options.ConnectTimeout = 5_000;
        try
        {
            return ConnectionMultiplexer.Connect(options);
        }
        catch (RedisConnectionException ex)
        {
            throw new InvalidOperationException($"Redis at '{string.Join(",", options.EndPoints)}' (ConnectionStrings__Redis) is unreachable: {ex.Message}", ex);
        }
    }

    private static void EnsurePortFree(IPAddress address, int port, string setting)
    {
        try
        {
            using var listener = new TcpListener(address, port);
            listener.Start();
        }
        catch (SocketException ex)
        {
            throw new InvalidOperationException($"Port {port} on {address} ({setting}) is not available: {ex.Message}. Give each silo on this machine its own ports.", ex);
        }
    }
}
