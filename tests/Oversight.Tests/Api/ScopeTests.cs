using System.Net;

namespace Oversight.Tests.Api;

/// <summary>Object-level authorization on the core endpoints, for each role and each way out of scope.</summary>
[Collection(GatewayCollection.Name)]
public sealed class ScopeTests(GatewayFixture gateway)
{
    private static string[] ReadPaths(Group g) =>
    [
        g.Base,
        $"{g.Base}/units/s2",
        $"{g.Base}/units/s2/load?period=2026",
        $"{g.Base}/units/s2/trend?from=2026-01&to=2026-02",
    ];

    [Fact]
    public async Task AMemberOfAnotherTenantSeesNothing()
    {
        var group = await Group.CreateAsync(gateway);
        var other = await Group.CreateAsync(gateway);
        var outsider = other.Member("hq");
        foreach (var path in ReadPaths(group))
        {
            var reply = (await outsider.GetAsync(path)).AssertProblem(HttpStatusCode.Forbidden);
            Assert.DoesNotContain("s2", reply.Json["detail"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.DoesNotContain(group.Tenant, reply.Json.ToJsonString(), StringComparison.Ordinal);
        }

        (await outsider.PutAsync($"{group.Base}/units", new[] { new { id = "x", parentId = "hq" } })).AssertProblem(HttpStatusCode.Forbidden);
        (await group.PostEventsAsync(outsider, Group.Document("x", "hq", Group.Anchor, "s1"))).AssertProblem(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task AMemberSeesItsSubtreeButNotSiblingsOrAncestors()
    {
        var group = await Group.CreateAsync(gateway);
        var s1 = group.Member("s1");
        (await s1.GetAsync($"{group.Base}/units/s1a/load?period=2026")).AssertOk();
        (await s1.GetAsync($"{group.Base}/units/s1/load?period=2026&children=true")).AssertOk();
        (await s1.GetAsync(group.Base)).AssertOk();
        foreach (var path in ReadPaths(group).Skip(1))
        {
            (await s1.GetAsync(path)).AssertProblem(HttpStatusCode.Forbidden);
        }

        (await group.Member("s1a").GetAsync($"{group.Base}/units/s1/load?period=2026")).AssertProblem(HttpStatusCode.Forbidden);
        (await group.Member("s1a").GetAsync($"{group.Base}/units/hq")).AssertProblem(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task AMemberWhoseUnitIsNotInTheTreeHasNoScope()
    {
        var group = await Group.CreateAsync(gateway);
        (await group.Member("ghost").GetAsync($"{group.Base}/units/hq")).AssertProblem(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task RegulatorsReadTheirTenantsOnly()
    {
        var group = await Group.CreateAsync(gateway);
        var other = await Group.CreateAsync(gateway);
        var regulator = gateway.Client(GatewayFixture.Regulator(group.Tenant));
        foreach (var path in ReadPaths(group))
        {
            (await regulator.GetAsync(path)).AssertOk();
        }

        foreach (var path in ReadPaths(other))
        {
            (await regulator.GetAsync(path)).AssertProblem(HttpStatusCode.Forbidden);
        }

        var everywhere = gateway.Client(GatewayFixture.Regulator("*"));
        (await everywhere.GetAsync(ReadPaths(other)[2])).AssertOk();
        (await everywhere.PutAsync(other.Base, new { name = "x" })).AssertProblem(HttpStatusCode.Forbidden);
    }
}
