using System.Globalization;

namespace Oversight.Gateway.Auth;

/// <summary>
/// <c>dotnet run --project gateway -- token --role member --tenant T --unit U</c>: prints a token
/// signed with the configured key (<c>Oversight__Auth__SigningKey</c>).
/// </summary>
public static class TokenCommand
{
    public const string Name = "token";

    private const string Usage = """
        usage: token --role admin|member|regulator [--tenant T --unit U] [--tenants a,b|*] [--hours H]
          admin:     no other claims
          member:    --tenant and --unit (the subtree the token may read and write)
          regulator: --tenants, a comma-separated list or * (read-only)
          --hours:   lifetime, default 24
        The key comes from Oversight__Auth__SigningKey (at least 32 characters).
        """;

    public static int Run(string[] args, IConfiguration configuration, TextWriter output, TextWriter error)
    {
        var options = Parse(args);
        if (options is null)
        {
            error.WriteLine(Usage);
            return 2;
        }

        var key = configuration[$"{AuthOptions.Section}:SigningKey"];
        if (string.IsNullOrEmpty(key) || key.Length < AuthOptions.MinKeyLength)
        {
            error.WriteLine($"Set Oversight__Auth__SigningKey (at least {AuthOptions.MinKeyLength} characters) to the key the gateway uses.");
            return 2;
        }

        options.TryGetValue("role", out var role);
        options.TryGetValue("tenant", out var tenant);
        options.TryGetValue("unit", out var unit);
        options.TryGetValue("tenants", out var tenantList);
        var hours = options.TryGetValue("hours", out var h) && double.TryParse(h, CultureInfo.InvariantCulture, out var parsed) && parsed > 0 ? parsed : 24;
        var valid = role switch
        {
            Roles.Admin => true,
            Roles.Member => !string.IsNullOrEmpty(tenant) && !string.IsNullOrEmpty(unit),
            Roles.Regulator => !string.IsNullOrEmpty(tenantList),
            _ => false,
        };
        if (!valid)
        {
            error.WriteLine(Usage);
            return 2;
        }

        var tenants = role == Roles.Regulator ? tenantList!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : null;
        output.WriteLine(TokenIssuer.Issue(key, role!, role == Roles.Member ? tenant : null, role == Roles.Member ? unit : null, tenants, TimeSpan.FromHours(hours)));
        return 0;
    }

    private static Dictionary<string, string>? Parse(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                return null;
            }

            options[args[i][2..]] = args[i + 1];
        }

        return options;
    }
}
