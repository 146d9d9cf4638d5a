using System.Net;

namespace Oversight.Tests.Api;

[Collection(GatewayCollection.Name)]
public sealed class UnitsApiTests(GatewayFixture gateway)
{
    [Fact]
    public async Task AUnitShowsItsPathAndSortedChildren()
    {
        var group = await Group.CreateAsync(gateway);
        var s1 = (await group.Admin.GetAsync($"{group.Base}/units/s1")).AssertOk().Json;
        Assert.Equal("s1", s1["id"]!.GetValue<string>());
        Assert.Equal("S1", s1["name"]!.GetValue<string>());
        Assert.Equal("hq", s1["parentId"]!.GetValue<string>());
        Assert.Equal(50, s1["headcount"]!.GetValue<int>());
        Assert.Equal("unit", s1["kind"]!.GetValue<string>());
        Assert.Equal(["hq", "s1"], s1["path"]!.AsArray().Select(p => p!.GetValue<string>()));
        Assert.Equal(["s1a", "s1b"], s1["children"]!.AsArray().Select(p => p!.GetValue<string>()));
        var hq = (await group.Admin.GetAsync($"{group.Base}/units/hq")).AssertOk().Json;
        Assert.Null(hq["parentId"]);
        Assert.True(hq.AsObject().ContainsKey("parentId"));
    }

    [Theory]
    [InlineData("[{\"id\":\"x\",\"parentId\":null}]", "units")]
    [InlineData("[{\"id\":\"x\",\"parentId\":\"ghost\"}]", "[0].parentId")]
    [InlineData("[{\"id\":\"x\",\"parentId\":\"s1a\"},{\"id\":\"s1\",\"parentId\":\"x\"}]", "[1].parentId")]
    [InlineData("[{\"id\":\"x\",\"parentId\":\"hq\"},{\"id\":\"x\",\"parentId\":\"hq\"}]", "[1].id")]
    [InlineData("[{\"id\":\"ok\",\"parentId\":\"hq\"},{\"id\":\"bad id\",\"parentId\":\"hq\"}]", "[1].id")]
    [InlineData("[{\"id\":\"ok\",\"parentId\":\"hq\",\"headcount\":-5}]", "[0].headcount")]
    public async Task ABadBatchIsRejectedWholeAndChangesNothing(string batch, string errorKey)
    {
        var group = await Group.CreateAsync(gateway);
        var reply = (await group.Admin.SendRawAsync(HttpMethod.Put, $"{group.Base}/units", batch, "application/json")).AssertProblem(HttpStatusCode.BadRequest);
        Assert.True(reply.Json["errors"]!.AsObject().ContainsKey(errorKey), reply.Json.ToJsonString());
        Assert.Equal(5, (await group.Admin.GetAsync(group.Base)).Json["units"]!.GetValue<int>());
        (await group.Admin.GetAsync($"{group.Base}/units/x")).AssertProblem(HttpStatusCode.NotFound);
        (await group.Admin.GetAsync($"{group.Base}/units/ok")).AssertProblem(HttpStatusCode.NotFound);
        Assert.Equal("hq", (await group.Admin.GetAsync($"{group.Base}/units/s1")).Json["parentId"]!.GetValue<string>());
    }

    [Fact]
    public async Task MoreThanTenThousandUnitsIsTooLarge()
    {
        var group = await Group.CreateAsync(gateway);
        var batch = Enumerable.Range(0, 10_001).Select(i => new { id = $"u{i}", parentId = "hq" });
        (await group.Admin.PutAsync($"{group.Base}/units", batch)).AssertProblem(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task UnitsMustBeSentAsJson()
    {
        var group = await Group.CreateAsync(gateway);
        (await group.Admin.SendRawAsync(HttpMethod.Put, $"{group.Base}/units", "[]", "text/plain")).AssertProblem(HttpStatusCode.UnsupportedMediaType);
        (await group.Admin.SendRawAsync(HttpMethod.Put, $"{group.Base}/units", "[{\"id\":", "application/json")).AssertProblem(HttpStatusCode.BadRequest);
        (await group.Admin.SendRawAsync(HttpMethod.Put, $"{group.Base}/units", "{\"id\":\"x\"}", "application/json")).AssertProblem(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task AMemberChangesOnlyItsOwnSubtreeAndCannotMoveItsScopeUnit()
    {
        var group = await Group.CreateAsync(gateway);
        var s1 = group.Member("s1");
        var added = (await s1.PutAsync($"{group.Base}/units", new[] { new { id = "s1c", parentId = "s1", headcount = 3 } })).AssertOk();
        Assert.Equal(1, added.Json["created"]!.GetValue<int>());
        (await s1.PutAsync($"{group.Base}/units", new[] { new { id = "s1", parentId = "s2", headcount = 50 } })).AssertProblem(HttpStatusCode.Forbidden);
        (await s1.PutAsync($"{group.Base}/units", new[] { new { id = "s2", parentId = "hq", headcount = 1 } })).AssertProblem(HttpStatusCode.Forbidden);
        (await s1.PutAsync($"{group.Base}/units", new[] { new { id = "s1a", parentId = "s2", headcount = 1 } })).AssertProblem(HttpStatusCode.Forbidden);
        (await group.Member("s1a").PutAsync($"{group.Base}/units", new[] { new { id = "s1b", parentId = "s1a", headcount = 1 } })).AssertProblem(HttpStatusCode.Forbidden);
        (await gateway.Client(GatewayFixture.Regulator("*")).PutAsync($"{group.Base}/units", new[] { new { id = "r", parentId = "hq" } })).AssertProblem(HttpStatusCode.Forbidden);
        Assert.Equal(6, (await group.Admin.GetAsync(group.Base)).Json["units"]!.GetValue<int>());
        Assert.Equal("hq", (await group.Admin.GetAsync($"{group.Base}/units/s1")).Json["parentId"]!.GetValue<string>());
    }

    [Fact]
    public async Task UnitIdsWithSlashesAreAddressedEncoded()
    {
        var group = await Group.CreateAsync(gateway);
        (await group.Admin.PutAsync($"{group.Base}/units", new[] { new { id = "s2/team:1", parentId = "s2" } })).AssertOk();
        var unit = (await group.Admin.GetAsync($"{group.Base}/units/s2%2Fteam:1")).AssertOk().Json;
        Assert.Equal(["hq", "s2", "s2/team:1"], unit["path"]!.AsArray().Select(p => p!.GetValue<string>()));
    }
}
