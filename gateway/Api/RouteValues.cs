namespace Oversight.Gateway.Api;

/// <summary>Path values. Unit and event ids may hold '/', which clients send as %2F and routing leaves encoded.</summary>
public static class RouteValues
{
    // Ids never contain '%', so unescaping cannot change a valid id.
    public static string Id(string value) => value.Contains('%', StringComparison.Ordinal) ? Uri.UnescapeDataString(value) : value;
}
