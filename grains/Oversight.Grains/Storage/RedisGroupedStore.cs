using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Orleans.Storage;
using StackExchange.Redis;

namespace Oversight.Grains.Storage;

/// <summary>
/// Grain state in Redis, read and written in groups: the reads and writes that arrive within
/// <see cref="Linger"/> of each other go to Redis together, all reads as one <c>MGET</c> and all
/// writes as one script (one <c>MGET</c> of the etags, one <c>MSET</c> of what matched).
/// <para>
/// Orleans' Redis storage spends a script with an <c>HGET</c> and an <c>HMSET</c> on every write:
/// three commands per checkpoint, and with one checkpoint per touched unit every 10 s that was
/// 0.5 Redis commands per event on shape M (BENCH.md's goal is 0.1). Grouped, a checkpoint costs a
/// few hundredths of a command; it waits at most <see cref="Linger"/> longer to be written.
/// </para>
/// <para>
/// Each state is two plain keys: <c>{prefix}:state:{grain}</c> (the serialized state) and
/// <c>{prefix}:etag:{grain}</c>. A write succeeds only if the etag held is the one the activation
/// read (or wrote last), exactly as Orleans' own storage checks it; a stale activation gets
/// <see cref="InconsistentStateException"/> and writes nothing. Multi-key commands need one Redis
/// (or keys of one hash slot): Oversight runs against one Redis, not a Redis Cluster.
/// </para>
/// </summary>
public sealed partial class RedisGroupedStore : IGrainStorage, IDisposable
{
    /// <summary>How long the first request of a group waits for others to join it.</summary>
    public static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(10);

    /// <summary>At most this many states per Redis call (a script runs alone on the server).</summary>
    public const int MaxGroup = 256;

    // KEYS: n etag keys, then n state keys. ARGV: n expected etags, n new etags, n states.
    // Returns, per state, 1 if written and 0 if its etag did not match. A key twice in one group
    // (two activations of one grain) is checked against the etag the first write left.
    private const string WriteScript =
        """
        local n = #KEYS / 2
        local held = redis.call('MGET', unpack(KEYS, 1, n))
        local now = {}
        local set = {}
        local result = {}
        for i = 1, n do
          local etag = now[KEYS[i]]
          if etag == nil then
            etag = held[i]
            if not etag then etag = '' end
          end
          if etag == ARGV[i] then
            now[KEYS[i]] = ARGV[n + i]
            set[#set + 1] = KEYS[i]
            set[#set + 1] = ARGV[n + i]
            set[#set + 1] = KEYS[n + i]
            set[#set + 1] = ARGV[2 * n + i]
            result[i] = 1
          else
            result[i] = 0
          end
        end
        if #set > 0 then
          redis.call('MSET', unpack(set))
        end
        return result
        """;

    // KEYS: the etag key, the state key. ARGV: the expected etag.
    private const string DeleteScript =
        """
        local etag = redis.call('GET', KEYS[1])
        if not etag then etag = '' end
        if etag ~= ARGV[1] then
          return 0
        end
        redis.call('DEL', KEYS[1], KEYS[2])
        return 1
        """;

    private readonly IDatabase _db;
    private readonly string _prefix;
    private readonly IGrainStorageSerializer _serializer;
    private readonly ILogger _logger;
    private readonly Channel<Request> _requests = Channel.CreateUnbounded<Request>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;

    // Etags are this store's random prefix and a count: unique across silos and restarts like a
    // fresh Guid, without drawing one per write (Guid.NewGuid reads the system's random source:
    // a syscall per checkpoint, 0.5% of the silo's samples in shape L's Redis ingest).
    private readonly string _etagPrefix = Guid.NewGuid().ToString("N")[..16];
    private long _etagCount;

    public RedisGroupedStore(IConnectionMultiplexer redis, string prefix, IGrainStorageSerializer serializer, ILogger<RedisGroupedStore> logger)
    {
        _db = redis.GetDatabase();
        _prefix = prefix;
        _serializer = serializer;
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var (state, etag) = Keys(stateName, grainId);
        var (data, held) = await Enqueue(new Request(state, etag, Write: false, default, default, default));
        if (data.IsNull)
        {
            grainState.State = Activator.CreateInstance<T>();
            grainState.ETag = held.IsNull ? null : (string?)held;
            grainState.RecordExists = false;
            return;
        }

        grainState.State = _serializer.Deserialize<T>((ReadOnlyMemory<byte>)data);
        grainState.ETag = (string?)held;
        grainState.RecordExists = true;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var (state, etag) = Keys(stateName, grainId);
        var newEtag = NextEtag();
        var (written, _) = await Enqueue(new Request(state, etag, Write: true, grainState.ETag ?? "", newEtag, _serializer.Serialize(grainState.State).ToMemory()));
        if (!(bool)written)
        {
            throw new InconsistentStateException($"Version conflict writing {stateName} of {grainId}: the etag held is not {grainState.ETag ?? "(none)"}; another activation wrote it.");
        }

        grainState.ETag = newEtag;
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var (state, etag) = Keys(stateName, grainId);
        var deleted = (long)await _db.ScriptEvaluateAsync(DeleteScript, [etag, state], [grainState.ETag ?? ""]);
        if (deleted == 0)
        {
            throw new InconsistentStateException($"Version conflict clearing {stateName} of {grainId}: the etag held is not {grainState.ETag ?? "(none)"}.");
        }

        grainState.State = Activator.CreateInstance<T>();
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    public void Dispose()
    {
        _requests.Writer.TryComplete();
        if (!_loop.Wait(TimeSpan.FromSeconds(5)))
        {
            LogStillFlushing(_logger);
        }
    }

    /// <summary>Queues a request for the next group; after disposal, fails it rather than leave it waiting.</summary>
    private Task<(RedisValue, RedisValue)> Enqueue(Request request) =>
        _requests.Writer.TryWrite(request) ? request.Done.Task : Task.FromException<(RedisValue, RedisValue)>(new ObjectDisposedException(nameof(RedisGroupedStore)));

    private string NextEtag() =>
        string.Concat(_etagPrefix, Interlocked.Increment(ref _etagCount).ToString("x", System.Globalization.CultureInfo.InvariantCulture));

    private (RedisKey State, RedisKey Etag) Keys(string stateName, GrainId grainId)
    {
        var name = $"{stateName}/{grainId.Type}/{grainId.Key}";
        return ($"{_prefix}:state:{name}", $"{_prefix}:etag:{name}");
    }

    private async Task RunAsync()
    {
        var reads = new List<Request>(MaxGroup);
        var writes = new List<Request>(MaxGroup);
        while (await _requests.Reader.WaitToReadAsync())
        {
            // The first request waits a moment so that those arriving just after it share its call.
            await Task.Delay(Linger);
            while (_requests.Reader.TryRead(out var request))
            {
                var group = request.Write ? writes : reads;
                group.Add(request);
                if (group.Count == MaxGroup)
                {
                    Send(group);
                }
            }

            Send(reads);
            Send(writes);
        }
    }

    /// <summary>
    /// Starts one Redis call for the group and empties it; the answer completes each request in
    /// it. A call that cannot even start fails its own requests, never the loop that serves every
    /// other grain.
    /// </summary>
    private void Send(List<Request> group)
    {
        if (group.Count == 0)
        {
            return;
        }

        var requests = group.ToArray();
        group.Clear();
        try
        {
            Start(requests);
        }
        catch (Exception ex)
        {
            Failed(Task.FromException(ex), requests);
        }
    }

    private void Start(Request[] requests)
    {
        Task call;
        if (requests[0].Write)
        {
            var n = requests.Length;
            var keys = new RedisKey[2 * n];
            var args = new RedisValue[3 * n];
            for (var i = 0; i < n; i++)
            {
                keys[i] = requests[i].Etag;
                keys[n + i] = requests[i].State;
                args[i] = requests[i].Expected;
                args[n + i] = requests[i].NewEtag;
                args[2 * n + i] = requests[i].Data;
            }

            call = _db.ScriptEvaluateAsync(WriteScript, keys, args).ContinueWith(t =>
            {
                if (Failed(t, requests))
                {
                    return;
                }

                try
                {
                    var results = (RedisResult[])t.Result!;
                    for (var i = 0; i < n; i++)
                    {
                        requests[i].Done.TrySetResult(((long)results[i] == 1, RedisValue.Null));
                    }
                }
                catch (Exception ex)
                {
                    Failed(Task.FromException(ex), requests);
                }
            }, TaskScheduler.Default);
        }
        else
        {
            var keys = new RedisKey[2 * requests.Length];
            for (var i = 0; i < requests.Length; i++)
            {
                keys[2 * i] = requests[i].State;
                keys[2 * i + 1] = requests[i].Etag;
            }

            call = _db.StringGetAsync(keys).ContinueWith(t =>
            {
                if (Failed(t, requests))
                {
                    return;
                }

                try
                {
                    for (var i = 0; i < requests.Length; i++)
                    {
                        requests[i].Done.TrySetResult((t.Result[2 * i], t.Result[2 * i + 1]));
                    }
                }
                catch (Exception ex)
                {
                    Failed(Task.FromException(ex), requests);
                }
            }, TaskScheduler.Default);
        }

        _ = call;
    }

    private bool Failed(Task call, Request[] requests)
    {
        if (call.IsCompletedSuccessfully)
        {
            return false;
        }

        var cause = call.Exception?.GetBaseException() ?? new OperationCanceledException("The Redis call was cancelled.");
        LogGroupFailed(_logger, cause, requests.Length, requests[0].Write ? "write" : "read");
        foreach (var request in requests)
        {
            request.Done.TrySetException(new RedisGroupedStoreException($"Redis {(request.Write ? "write" : "read")} of {request.State} failed: {cause.Message}", cause));
        }

        return true;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A grouped Redis {Kind} of {Count} grain states failed")]
    private static partial void LogGroupFailed(ILogger logger, Exception exception, int count, string kind);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Grain state writes were still in flight when the store was disposed")]
    private static partial void LogStillFlushing(ILogger logger);

    /// <summary>
    /// One read or write. A read completes with (state, etag); a write with (written?, null).
    /// </summary>
    private sealed record Request(RedisKey State, RedisKey Etag, bool Write, RedisValue Expected, RedisValue NewEtag, RedisValue Data)
    {
        public TaskCompletionSource<(RedisValue, RedisValue)> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>Redis could not be read or written; the caller's state is unchanged.</summary>
public sealed class RedisGroupedStoreException(string message, Exception inner) : Exception(message, inner);
