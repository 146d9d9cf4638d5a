namespace Oversight.Gateway.Auth;

/// <summary>Authentication settings (section <c>Oversight:Auth</c>).</summary>
public sealed class AuthOptions
{
    public const string Section = "Oversight:Auth";

    /// <summary>Token issuer and audience, as <c>API.md</c> fixes them.</summary>
    public const string IssuerAndAudience = "oversight";

    /// <summary>Shortest accepted signing key.</summary>
    public const int MinKeyLength = 32;

    /// <summary>HS256 key; when empty a random one is made at start (embedded convenience).</summary>
    public string? SigningKey { get; set; }

    /// <summary>True when the key was generated at start rather than configured.</summary>
    public bool KeyGenerated { get; set; }
}
