namespace Oversight.Grains;

/// <summary>Names of the grain storage providers.</summary>
public static class StorageNames
{
    /// <summary>The one store all grain state lives in.</summary>
    public const string Store = "oversight";
}
