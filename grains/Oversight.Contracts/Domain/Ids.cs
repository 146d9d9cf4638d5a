using System.IO.Hashing;
using System.Text;
using System.Text.RegularExpressions;

namespace Oversight.Domain;

/// <summary>The id rules of <c>API.md</c>.</summary>
public static partial class Ids
{
    /// <summary>True for a valid tenant id: <c>^[a-z0-9][a-z0-9-]{0,62}$</c>.</summary>
    public static bool IsTenantId(string? id) => id is not null && TenantRegex().IsMatch(id);

    /// <summary>True for a valid unit or event id: <c>^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$</c>.</summary>
    public static bool IsUnitOrEventId(string? id) => id is not null && UnitRegex().IsMatch(id);

    /// <summary>
    /// The 128-bit identity of an event id (XxHash128 of its UTF-8): what the ledger remembers ids
    /// by and the cascade index finds events by. Ids are at most 128 characters.
    /// </summary>
    public static UInt128 Hash(string id)
    {
        Span<byte> utf8 = stackalloc byte[512];
        var length = Encoding.UTF8.GetBytes(id, utf8);
        return XxHash128.HashToUInt128(utf8[..length]);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex TenantRegex();

    // \z, not $: "$" would also accept a trailing newline.
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}\z", RegexOptions.CultureInvariant)]
    private static partial Regex UnitRegex();
}
