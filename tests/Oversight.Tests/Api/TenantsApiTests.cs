using System.Net;

namespace Oversight.Tests.Api;

[Collection(GatewayCollection.Name)]
public sealed class TenantsApiTests(GatewayFixture gateway)
{
    [Fact]
    public async Task PutCreatesThenUpdatesATenant()
    {
        var admin = gateway.Client(GatewayFixture.Admin());
        var id = "t-" + Guid.NewGuid().ToString("N")[..10];
        var created = (await admin.PutAsync($"/api/v1/tenants/{id}", new { name = "Acme" })).AssertOk(HttpStatusCode.Created);
        Assert.Equal(id, created.Json["id"]!.GetValue<string>());
        Assert.Equal("Asia/Shanghai", created.Json["timeZone"]!.GetValue<string>());
        Assert.Equal(0, created.Json["units"]!.GetValue<int>());

        (await admin.PutAsync($"/api/v1/tenants/{id}", new { name = "Acme 集团", timeZone = "Europe/Berlin" })).AssertOk();
        var read = (await admin.GetAsync($"/api/v1/tenants/{id}")).AssertOk();
        Assert.Equal("Acme 集团", read.Json["name"]!.GetValue<string>());
        Assert.Equal("Europe/Berlin", read.Json["timeZone"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("Bad_Id", "{\"name\":\"x\"}")]
    [InlineData("-lead", "{\"name\":\"x\"}")]
    [InlineData("ok-id", "{\"name\":\"\"}")]
    [InlineData("ok-id", "{\"name\":\"x\",\"timeZone\":\"Mars/Olympus\"}")]
    [InlineData("ok-id", "{\"timeZone\":\"UTC\"}")]
    public async Task InvalidTenantsAreRefusedWithFieldErrors(string id, string body)
    {
        var admin = gateway.Client(GatewayFixture.Admin());
        var reply = (await admin.SendRawAsync(HttpMethod.Put, $"/api/v1/tenants/{id}", body, "application/json")).AssertProblem(HttpStatusCode.BadRequest);
        Assert.NotNull(reply.Json["errors"]);
        (await admin.GetAsync($"/api/v1/tenants/{id}")).AssertProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task OnlyAdminsCreateTenants()
    {
        var group = await Group.CreateAsync(gateway);
        (await group.Member("hq").PutAsync($"/api/v1/tenants/{group.Tenant}", new { name = "Mine" })).AssertProblem(HttpStatusCode.Forbidden);
        (await gateway.Client(GatewayFixture.Regulator("*")).PutAsync("/api/v1/tenants/new-one", new { name = "x" })).AssertProblem(HttpStatusCode.Forbidden);
        (await gateway.Client(null).PutAsync("/api/v1/tenants/new-one", new { name = "x" })).AssertProblem(HttpStatusCode.Unauthorized);
        Assert.Equal("测试集团 Test Group", (await group.Admin.GetAsync(group.Base)).Json["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task TheListShowsOnlyTenantsTheCallerMaySee()
    {
        var a = await Group.CreateAsync(gateway);
        var b = await Group.CreateAsync(gateway);
        static async Task<string[]> Ids(ApiClient client) =>
            [.. (await client.GetAsync("/api/v1/tenants")).AssertOk().Json.AsArray().Select(t => t!["id"]!.GetValue<string>())];

        var regulated = await Ids(gateway.Client(GatewayFixture.Regulator(a.Tenant)));
        Assert.Equal([a.Tenant], regulated);
        Assert.Equal([b.Tenant], await Ids(b.Member("s1")));
        var all = await Ids(a.Admin);
        Assert.Contains(a.Tenant, all);
        Assert.Contains(b.Tenant, all);
        Assert.Equal(5, (await a.Admin.GetAsync(a.Base)).Json["units"]!.GetValue<int>());
    }

    [Fact]
    public async Task UnknownTenantsAreNotFoundForAdminsAndForbiddenToOthers()
    {
        var group = await Group.CreateAsync(gateway);
        (await group.Admin.GetAsync("/api/v1/tenants/no-such-tenant")).AssertProblem(HttpStatusCode.NotFound);
        (await group.Member("hq").GetAsync("/api/v1/tenants/no-such-tenant")).AssertProblem(HttpStatusCode.Forbidden);
        (await gateway.Client(GatewayFixture.Regulator(group.Tenant)).GetAsync("/api/v1/tenants/no-such-tenant")).AssertProblem(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task TheTimeZoneIsFixedOnceEventsAreCounted()
    {
        var group = await Group.CreateAsync(gateway);
        (await group.PostEventsAsync(group.Admin, Group.Document("d1", "hq", Group.Anchor, "s1"))).AssertOk();
        (await group.Admin.PutAsync(group.Base, new { name = "Renamed", timeZone = "UTC" })).AssertProblem(HttpStatusCode.Conflict);
        (await group.Admin.PutAsync(group.Base, new { name = "Renamed", timeZone = "Asia/Shanghai" })).AssertOk();
    }
}
