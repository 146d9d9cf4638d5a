using System.Net;
using Microsoft.AspNetCore.Hosting;
using Oversight.Tests.Api;

namespace Oversight.Tests.Security;

/// <summary>A gateway with a budget of 8 requests per tenant per hour, to see the limit bite.</summary>
public sealed class TightGatewayFixture : GatewayFixture
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Oversight:RateLimit:PermitsPerWindow", "8");
        builder.UseSetting("Oversight:RateLimit:WindowSeconds", "3600");
    }
}

public sealed class RateLimitTests(TightGatewayFixture gateway) : IClassFixture<TightGatewayFixture>
{
    [Fact]
    public async Task ANoisyTenantIsLimitedWithoutStarvingAnother()
    {
        var noisy = await Group.CreateAsync(gateway);
        var quiet = await Group.CreateAsync(gateway);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 12; i++)
        {
            statuses.Add((await noisy.Admin.GetAsync($"{noisy.Base}/units/hq")).Status);
        }

        // Two requests of each group's setup count too: 8 - 2 = 6 pass, the rest are refused.
        Assert.Equal(6, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(6, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        var refused = (await noisy.Admin.GetAsync($"{noisy.Base}/units/hq")).AssertProblem(HttpStatusCode.TooManyRequests);
        Assert.True(int.Parse(refused.RetryAfter!, System.Globalization.CultureInfo.InvariantCulture) > 0);
        (await quiet.Admin.GetAsync($"{quiet.Base}/units/hq")).AssertOk();
    }
}
