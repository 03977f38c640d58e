using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Http;

namespace Sensors.Operations.Auth;

/// <summary>
/// Sign-in with the city's identity provider: OpenID Connect, authorisation code flow with PKCE,
/// the answer in the query (so that the session cookie can be SameSite=Lax), no local password.
/// The provider's role claim (<see cref="OidcOptions.RoleClaim"/>) is mapped to the console's
/// roles; the session is one cookie, Secure, HttpOnly, SameSite=Lax, 8 hours from the last page.
/// </summary>
public static class ConsoleAuth
{
    public const string CookieName = "sensors-console";

    public static void Add(IServiceCollection services, ConsoleOptions options)
    {
        services.AddAuthentication(o =>
            {
                o.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                o.DefaultChallengeScheme = OpenIdConnectDefaults.AuthenticationScheme;
            })
            .AddCookie(o =>
            {
                o.Cookie.Name = CookieName;
                o.Cookie.HttpOnly = true;
                o.Cookie.SecurePolicy = CookieSecurePolicy.Always;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                o.SlidingExpiration = true;
                o.Events.OnRedirectToAccessDenied = context =>
                {
                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    return Task.CompletedTask;
                };
            })
            .AddOpenIdConnect(o =>
            {
                o.Authority = options.Oidc.Authority;
                o.ClientId = options.Oidc.ClientId;
                o.ClientSecret = options.Oidc.ReadSecret();
                o.ResponseType = "code";
                o.ResponseMode = "query";
                o.UsePkce = true;
                o.RequireHttpsMetadata = options.Oidc.RequireHttpsMetadata;
                o.MapInboundClaims = false;
                o.GetClaimsFromUserInfoEndpoint = true;
                o.SaveTokens = false;
                o.CallbackPath = "/signin-oidc";
                o.Scope.Clear();
                o.Scope.Add("openid");
                foreach (var scope in options.Oidc.Scopes)
                {
                    o.Scope.Add(scope);
                }

                o.ClaimActions.MapJsonKey(options.Oidc.RoleClaim, options.Oidc.RoleClaim);
                o.ClaimActions.MapJsonKey("name", "name");
                o.ClaimActions.MapJsonKey("email", "email");
                o.TokenValidationParameters.NameClaimType = "name";
                o.CorrelationCookie.SecurePolicy = CookieSecurePolicy.Always;
                o.CorrelationCookie.SameSite = SameSiteMode.Lax;
                o.NonceCookie.SecurePolicy = CookieSecurePolicy.Always;
                o.NonceCookie.SameSite = SameSiteMode.Lax;
                o.BackchannelTimeout = TimeSpan.FromSeconds(10);
                o.RefreshInterval = TimeSpan.FromSeconds(10); // after the provider was down, try its metadata again within seconds, not the default 5 minutes
                o.Events.OnRemoteFailure = async context =>
                {
                    // A refused or broken sign-in ends on a page that says so, never in another
                    // redirect to the provider (which could loop).
                    context.HandleResponse();
                    context.Response.StatusCode = StatusCodes.Status502BadGateway;
                    context.Response.ContentType = "text/html; charset=utf-8";
                    context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Sensors.Operations.SignIn")
                        .LogWarning("Sign-in failed at the identity provider's answer: {Reason} Check Console:Oidc (client id and secret, redirect URI {Callback}).", context.Failure?.Message, "/signin-oidc");
                    await context.Response.WriteAsync(Pages.ConsoleLayout.SignInFailed(options.City, context.Failure?.Message ?? "unknown"));
                };
            });
        services.AddSingleton<IClaimsTransformation>(new RoleMapping(options.Oidc));
        services.AddAuthorization(o =>
        {
            o.FallbackPolicy = new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build();
        });
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "sensors-console-csrf";
            o.Cookie.SecurePolicy = CookieSecurePolicy.Always;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.FormFieldName = "jeton";
        });
    }

    /// <summary>The console's roles a user holds (environment, waste, lighting, admin).</summary>
    public static IReadOnlySet<string> Roles(ClaimsPrincipal user) =>
        user.Claims.Where(c => c.Type == ClaimTypes.Role && OidcOptions.ConsoleRoles.Contains(c.Value)).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);

    /// <summary>Whether the user may see a service's things: its own role, or admin.</summary>
    public static bool Sees(IReadOnlySet<string> roles, string service) => roles.Contains("admin") || roles.Contains(service);
}

/// <summary>The provider's role claim values → the console's roles, each request (cheap: a few claims).</summary>
public sealed class RoleMapping(OidcOptions options) : IClaimsTransformation
{
    public Task<ClaimsPrincipal> TransformAsync(ClaimsPrincipal principal)
    {
        if (principal.Identity is not ClaimsIdentity { IsAuthenticated: true } identity || identity.HasClaim(c => c.Type == ClaimTypes.Role))
        {
            return Task.FromResult(principal);
        }

        foreach (var value in Values(principal).Distinct(StringComparer.Ordinal).ToList())
        {
            var role = options.Roles.TryGetValue(value, out var mapped) ? mapped : value;
            if (OidcOptions.ConsoleRoles.Contains(role) && !identity.HasClaim(ClaimTypes.Role, role))
            {
                identity.AddClaim(new Claim(ClaimTypes.Role, role));
            }
        }

        return Task.FromResult(principal);
    }

    /// <summary>The claim's values: one claim per value, or a JSON array in one claim, or words separated by spaces or commas.</summary>
    private IEnumerable<string> Values(ClaimsPrincipal principal)
    {
        foreach (var claim in principal.Claims.Where(c => c.Type == options.RoleClaim))
        {
            var text = claim.Value.Trim();
            if (text.StartsWith('['))
            {
                string[]? items = null;
                try
                {
                    items = System.Text.Json.JsonSerializer.Deserialize(text, RoleJson.Default.StringArray);
                }
                catch (System.Text.Json.JsonException)
                {
                }

                foreach (var item in items ?? [])
                {
                    yield return item;
                }
            }
            else
            {
                foreach (var word in text.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries))
                {
                    yield return word;
                }
            }
        }
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string[]))]
internal sealed partial class RoleJson : System.Text.Json.Serialization.JsonSerializerContext;
