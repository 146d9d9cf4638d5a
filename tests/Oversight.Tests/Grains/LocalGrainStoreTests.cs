using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;
using Oversight.Grains.Storage;

namespace Oversight.Tests.Grains;

/// <summary>The embedded default's in-process store.</summary>
public sealed class LocalGrainStoreTests : GrainStoreContract, IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddSerializer().BuildServiceProvider();
    private LocalGrainStore? _store;

    protected override IGrainStorage Store => _store ??= new LocalGrainStore(_services.GetRequiredService<Serializer>());

    protected override IGrainStorage Reopened() => Store;

    public void Dispose() => _services.Dispose();
}
