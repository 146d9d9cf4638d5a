using System.Buffers;
using System.IO.Hashing;
using System.Text;

namespace Oversight.Domain;

/// <summary>The id rules of <c>API.md</c>.</summary>
public static class Ids
{
    /// <summary>True for a valid tenant id: <c>^[a-z0-9][a-z0-9-]{0,62}$</c>.</summary>
    public static bool IsTenantId(string? id) =>
        id is { Length: >= 1 and <= 63 } && (char.IsAsciiLetterLower(id[0]) || char.IsAsciiDigit(id[0])) && !id.AsSpan(1).ContainsAnyExcept(TenantChars);

    /// <summary>True for a valid unit or event id: <c>^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$</c>.</summary>
    /// <remarks>
    /// Checked by hand rather than by a regular expression: the gateway checks every event's id,
    /// source, targets and cause (seven ids per event on average), and a regex match per id came to
    /// an eighth of the gateway's CPU in cluster mode. The tests hold both checks to the patterns.
    /// </remarks>
    public static bool IsUnitOrEventId(string? id) =>
        id is { Length: >= 1 and <= 128 } && char.IsAsciiLetterOrDigit(id[0]) && !id.AsSpan(1).ContainsAnyExcept(UnitChars);

    private static readonly SearchValues<char> TenantChars = SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789-");
    private static readonly SearchValues<char> UnitChars = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:/-");

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
}
