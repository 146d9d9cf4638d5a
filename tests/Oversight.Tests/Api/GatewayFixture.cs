using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Oversight.Gateway.Auth;
using Oversight.Grains;

namespace Oversight.Tests.Api;

/// <summary>
/// The gateway in its embedded default (a silo co-hosted in-process) behind the real ASP.NET Core
/// pipeline. Shared by the API tests; each test makes its own tenant.
/// </summary>
public class GatewayFixture : WebApplicationFactory<Program>
{
    public const string SigningKey = "test-signing-key-0123456789abcdef-0123456789";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Oversight:Auth:SigningKey", SigningKey);
        builder.UseSetting("Orleans:Endpoints:SiloPort", Ports.Free().ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Orleans:Endpoints:GatewayPort", Ports.Free().ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Orleans:ClusterId", "test-" + Guid.NewGuid().ToString("N")[..8]);
    }

    public IGrainFactory Grains => Services.GetRequiredService<IGrainFactory>();

    public static string Admin() => TokenIssuer.Issue(SigningKey, Roles.Admin, null, null, null, TimeSpan.FromHours(1));

    public static string Member(string tenant, string unit) => TokenIssuer.Issue(SigningKey, Roles.Member, tenant, unit, null, TimeSpan.FromHours(1));

    public static string Regulator(params string[] tenants) => TokenIssuer.Issue(SigningKey, Roles.Regulator, null, null, tenants, TimeSpan.FromHours(1));

    public ApiClient Client(string? token) => new(CreateClient(), token);

    /// <summary>
    /// Hands every pending delta up the tree, deepest units first, until a whole pass finds
    /// nothing to send (a restructured unit may still owe its former parent), so counters are final.
    /// </summary>
    public async Task SettleAsync(string tenant, IEnumerable<(string Id, int Depth)> units)
    {
        var levels = units.GroupBy(u => u.Depth).OrderByDescending(g => g.Key).ToList();
        for (var sent = true; sent;)
        {
            sent = false;
            foreach (var level in levels)
            {
                var results = await Task.WhenAll(level.Select(u => Grains.GetGrain<IUnitGrain>(GrainKeys.Unit(tenant, u.Id)).Flush()));
                sent |= results.Any(r => r);
            }
        }
    }
}

[CollectionDefinition(Name)]
public sealed class GatewayCollection : ICollectionFixture<GatewayFixture>
{
    public const string Name = "gateway";
}
