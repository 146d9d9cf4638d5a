using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;
using Oversight.Gateway.Http;

namespace Oversight.Gateway.Auth;

/// <summary>HS256 bearer tokens exactly as <c>API.md</c> fixes them: iss/aud <c>oversight</c>, exp required, alg pinned.</summary>
public static class JwtSetup
{
    public static AuthOptions AddOversightAuth(this IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
        if (string.IsNullOrEmpty(options.SigningKey))
        {
            options.SigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
            options.KeyGenerated = true;
        }
        else if (options.SigningKey.Length < AuthOptions.MinKeyLength)
        {
            throw new InvalidOperationException($"Oversight__Auth__SigningKey must be at least {AuthOptions.MinKeyLength} characters long.");
        }

        builder.Services.AddSingleton(options);
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(jwt =>
        {
            jwt.MapInboundClaims = false;
            jwt.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = AuthOptions.IssuerAndAudience,
                ValidAudience = AuthOptions.IssuerAndAudience,
                IssuerSigningKey = TokenIssuer.Key(options.SigningKey),
                ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                ValidateIssuer = true,
                ValidateAudience = true,
                ValidateLifetime = true,
                ValidateIssuerSigningKey = true,
                RequireExpirationTime = true,
                RequireSignedTokens = true,
                ClockSkew = TimeSpan.Zero,
                RoleClaimType = Roles.RoleClaim,
            };
            jwt.Events = new JwtBearerEvents
            {
                OnMessageReceived = context =>
                {
                    // EventSource cannot set headers: the live stream may carry the token in the query.
                    if (context.Request.Path.Value?.EndsWith("/live", StringComparison.Ordinal) == true
                        && context.Request.Query.TryGetValue("access_token", out var token))
                    {
                        context.Token = token;
                    }

                    return Task.CompletedTask;
                },
                OnChallenge = async context =>
                {
                    context.HandleResponse();
                    var detail = context.AuthenticateFailure is null
                        ? "A bearer token is required."
                        : "The bearer token is invalid or expired.";
                    context.Response.Headers.WWWAuthenticate = "Bearer";
                    await Problems.Problem(StatusCodes.Status401Unauthorized, "Unauthorized", detail).ExecuteAsync(context.HttpContext);
                },
                OnForbidden = context => Problems.Forbidden().ExecuteAsync(context.HttpContext),
            };
        });
        builder.Services.AddAuthorization();
        return options;
    }
}
