using Oversight.Grains;

namespace Oversight.Tests.Grains;

/// <summary>References made by <see cref="GrainReferences"/> are the ones Orleans makes, and reach the same activation.</summary>
[Collection(ClusterCollection.Name)]
public sealed class GrainReferencesTests(ClusterFixture fixture)
{
    [Fact]
    public async Task AReferenceIsTheOneGetGrainMakesForEveryInterface()
    {
        var grains = fixture.Grains;
        AssertSame(grains.GetGrain<IUnitGrain>("refs/a"), grains.Reference<IUnitGrain>("refs/a"));
        AssertSame(grains.GetGrain<ITenantGrain>("refs"), grains.Reference<ITenantGrain>("refs"));
        AssertSame(grains.GetGrain<IEventLedgerGrain>("refs/0"), grains.Reference<IEventLedgerGrain>("refs/0"));
        AssertSame(grains.GetGrain<IAlertsGrain>("refs"), grains.Reference<IAlertsGrain>("refs"));
        AssertSame(grains.GetGrain<ICascadeGrain>("refs"), grains.Reference<ICascadeGrain>("refs"));
        AssertSame(grains.GetGrain<IReportsGrain>("refs"), grains.Reference<IReportsGrain>("refs"));

        // Made twice for one interface (resolved once, then from the cache), and called.
        Assert.Equal(grains.Reference<ITenantGrain>("refs-b"), grains.Reference<ITenantGrain>("refs-b"));
        Assert.Null(await grains.Reference<ICascadeGrain>("refs-c").Get("no-such-event"));
        Assert.Throws<ArgumentException>(() => grains.Reference<IUnitGrain>(" "));
    }

    private static void AssertSame(IAddressable expected, IAddressable actual)
    {
        Assert.Equal(expected.GetGrainId(), actual.GetGrainId());
        Assert.Equal(((GrainReference)expected).InterfaceType, ((GrainReference)actual).InterfaceType);
        Assert.Equal(expected, actual);
    }
}
