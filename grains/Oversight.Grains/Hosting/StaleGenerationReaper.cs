using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Oversight.Grains.Hosting;

/// <summary>
/// Declares this silo's earlier generations on the same address dead in the membership table, at
/// once and until it holds. Orleans does this too when a silo restarts on its old address, but
/// its attempt waits in the membership manager's queue behind the probes of other dead silos and
/// is retried only at table refreshes; after a full restart of a two-silo cluster (chaos.py) one
/// silo's previous generation stayed Active for over a minute, and grains whose directory
/// partition it still owned could not activate, so a subtree's counts stayed short. An earlier
/// generation on this silo's address cannot be running: this process holds the port (the silo
/// refuses to start when it is taken), so declaring it dead is always right.
/// <para>
/// A declaration in the table reaches this silo's own view only when its membership manager next
/// reads the table; in a chaos run (fourteenth session) the view kept the earlier generation Active
/// for the whole minute after the declaration, and the grain directory, built from that view, kept
/// sending lookups to it. So the reaper also watches the view, and asks for a refresh at the table's
/// version while the view still holds an earlier generation of this silo as anything but dead.
/// </para>
/// </summary>
public sealed partial class StaleGenerationReaper(
    IMembershipTable table,
    IClusterMembershipService membership,
    ILocalSiloDetails local,
    ILogger<StaleGenerationReaper> logger) : BackgroundService
{
    /// <summary>How long after start the table is watched for earlier generations.</summary>
    public static readonly TimeSpan Watch = TimeSpan.FromMinutes(2);

    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// One pass: reads the table and declares the first earlier generation of this silo that is
    /// not yet dead. Returns how many such entries the table held when read (0: nothing to do),
    /// and whether the write went through (a concurrent write to the table makes it fail; the next
    /// pass reads again).
    /// </summary>
    public async Task<(int Stale, bool Declared)> ReapOnceAsync(CancellationToken cancellationToken = default)
    {
        var me = local.SiloAddress;
        var data = await table.ReadAllAsync(cancellationToken);
        var stale = data.Members
            .Where(m => m.Item1.SiloAddress.Endpoint.Equals(me.Endpoint) && m.Item1.SiloAddress.Generation < me.Generation && m.Item1.Status != SiloStatus.Dead)
            .ToList();
        if (stale.Count == 0)
        {
            return (0, false);
        }

        var (entry, etag) = stale[0];
        entry.Status = SiloStatus.Dead;
        entry.AddSuspector(me, DateTime.UtcNow);
        var declared = await table.UpdateRowAsync(entry, etag, data.Version.Next(), cancellationToken);
        if (declared)
        {
            LogDeclared(logger, entry.SiloAddress, me);
        }

        return (stale.Count, declared);
    }

    /// <summary>
    /// True when this silo's view of the cluster still holds an earlier generation on its address
    /// as anything but dead; then asks the membership manager to read the table again.
    /// </summary>
    public async Task<bool> RefreshViewOnceAsync(CancellationToken cancellationToken = default)
    {
        var me = local.SiloAddress;
        var stale = membership.CurrentSnapshot.Members.Values
            .Any(m => m.SiloAddress.Endpoint.Equals(me.Endpoint) && m.SiloAddress.Generation < me.Generation && m.Status != SiloStatus.Dead);
        if (stale)
        {
            var version = (await table.ReadAllAsync(cancellationToken)).Version;
            await membership.Refresh(new MembershipVersion(version.Version), cancellationToken);
        }

        return stale;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var until = DateTime.UtcNow + Watch;
        while (!stoppingToken.IsCancellationRequested && DateTime.UtcNow < until)
        {
            try
            {
                var (stale, declared) = await ReapOnceAsync(stoppingToken);
                if (declared)
                {
                    // The next earlier generation, if any, at once; the pass that finds none
                    // looks at this silo's own view.
                    continue;
                }

                if (stale == 0 && !await RefreshViewOnceAsync(stoppingToken))
                {
                    // The table and this silo's view both hold every earlier generation dead.
                    return;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(logger, ex);
            }

            await Task.Delay(Pause, stoppingToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Declared {Earlier} dead in the membership table: an earlier generation of this silo ({Me}) on its address")]
    private static partial void LogDeclared(ILogger logger, SiloAddress earlier, SiloAddress me);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read or update the membership table to declare this silo's earlier generations dead; trying again")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
