using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;
using Storemon.Api.Storage;
using Storemon.Storage;

namespace Storemon.Api.Access;

/// <summary>
/// People in a browser: a browser cannot send the <c>X-Api-Key</c> header, so a person signs in once
/// with an API key on <c>/ui/login</c> and gets an HttpOnly, SameSite=Strict session cookie (Secure over
/// HTTPS) that carries the key's name and scopes, never the key. The session opens the pages (<c>/ui</c>)
/// and, with the admin scope, the job dashboard (<c>/jobs</c>); the API answers programs by the header
/// alone. Without keys configured the pages are open like everything else. The session itself is kept
/// in the database (<see cref="BrowserSessionStore"/>), so signing out ends it everywhere, and it ends
/// when its key is removed or its secret changes.
/// </summary>
internal static class BrowserSessions
{
    /// <summary>The pages: reading reports.</summary>
    public const string Read = "session:" + Scopes.ReportsRead;

    /// <summary>The pages' forms that trigger a report.</summary>
    public const string Write = "session:" + Scopes.ReportsWrite;

    /// <summary>The job dashboard.</summary>
    public const string Dashboard = "session:" + Scopes.Admin;

    public const string LoginPath = "/ui/login";
    public const string LogoutPath = "/ui/logout";
    public const string CookieName = "storemon.session";

    /// <summary>The session's claim holding its key's fingerprint (<see cref="AccessSetup.KeyRing.Fingerprint"/>).</summary>
    private const string FingerprintClaim = "key_fingerprint";

    private const string Scheme = "KeyOrSession";
    private const string CookieScheme = "Session";

    public static WebApplicationBuilder AddBrowserSessions(this WebApplicationBuilder builder)
    {
        builder.Services.AddAuthentication()
            .AddCookie(CookieScheme, options =>
            {
                options.Cookie.Name = CookieName;
                options.Cookie.Path = "/";
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Strict;
                options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.ExpireTimeSpan = BrowserSessionStore.IdleLifetime;
                options.SlidingExpiration = true;
                options.LoginPath = LoginPath;
                options.AccessDeniedPath = LoginPath;
                // The session ends at the next request when its key was removed from the configuration or
                // its secret changed under the same name (the fingerprint differs); a key whose scopes
                // changed has the new ones.
                options.Events.OnValidatePrincipal = async context =>
                {
                    var keys = context.HttpContext.RequestServices.GetRequiredService<AccessSetup.KeyRing>();
                    var name = context.Principal?.Identity?.Name;
                    var key = name is null ? null : keys.Named(name);
                    if (key is null || context.Principal!.FindFirst(FingerprintClaim)?.Value != keys.Fingerprint(key.Name))
                    {
                        context.RejectPrincipal();
                        await context.HttpContext.SignOutAsync(CookieScheme);
                    }
                    else if (!key.Scopes.Order(StringComparer.Ordinal).SequenceEqual(
                        context.Principal!.FindAll(AccessSetup.ScopeClaim).Select(c => c.Value).Order(StringComparer.Ordinal)))
                    {
                        context.ReplacePrincipal(Principal(key, keys));
                        context.ShouldRenew = true;
                    }
                };
                // Only a browser is sent to the sign-in page; a program asking for a page gets the API's 401 or 403.
                options.Events.OnRedirectToLogin = context => AcceptsHtml(context.Request)
                    ? Redirect(context)
                    : context.HttpContext.ChallengeAsync(AccessSetup.Scheme);
                options.Events.OnRedirectToAccessDenied = context => AcceptsHtml(context.Request)
                    ? Redirect(context)
                    : context.HttpContext.ForbidAsync(AccessSetup.Scheme);
            })
            // The header when a request has one (or when the service is open), the session otherwise.
            .AddPolicyScheme(Scheme, "API key or browser session", options =>
            {
                options.ForwardDefaultSelector = context =>
                    context.Request.Headers.ContainsKey(AccessSetup.HeaderName) || context.RequestServices.GetRequiredService<AccessSetup.KeyRing>().IsOpen
                        ? AccessSetup.Scheme
                        : CookieScheme;
            });
        // Sessions live in the database; the cookie names one (Access/BrowserSessionStore.cs).
        builder.Services.AddSingleton(services =>
        {
            services.GetRequiredService<IStoremonDatabase>();   // its schema, which has the sessions' table, is migrated as it is made
            return new BrowserSessionStore(
                DatabaseConnections.Opener(services.GetRequiredService<IOptions<DatabaseOptions>>().Value.Database), services.GetRequiredService<TimeProvider>());
        });
        builder.Services.AddOptions<CookieAuthenticationOptions>(CookieScheme).Configure<BrowserSessionStore>((options, store) => options.SessionStore = store);
        var policies = builder.Services.AddAuthorizationBuilder();
        foreach (var (policy, scope) in new[] { (Read, Scopes.ReportsRead), (Write, Scopes.ReportsWrite), (Dashboard, Scopes.Admin) })
        {
            policies.AddPolicy(policy, p => p
                .AddAuthenticationSchemes(Scheme)
                .RequireAuthenticatedUser()
                .RequireAssertion(context => context.User.HasClaim(AccessSetup.ScopeClaim, scope) || context.User.HasClaim(AccessSetup.ScopeClaim, Scopes.Admin)));
        }
        return builder;
    }

    /// <summary>Starts a session for <paramref name="key"/>: its name and scopes in the cookie, never the key.</summary>
    public static Task SignIn(HttpContext context, ApiKeyOptions key) =>
        context.SignInAsync(CookieScheme, Principal(key, context.RequestServices.GetRequiredService<AccessSetup.KeyRing>()));

    public static Task SignOut(HttpContext context) => context.SignOutAsync(CookieScheme);

    /// <summary>Whether the user may do what <paramref name="scope"/> allows.</summary>
    public static bool Has(ClaimsPrincipal user, string scope) =>
        user.HasClaim(AccessSetup.ScopeClaim, scope) || user.HasClaim(AccessSetup.ScopeClaim, Scopes.Admin);

    private static ClaimsPrincipal Principal(ApiKeyOptions key, AccessSetup.KeyRing keys) => new(new ClaimsIdentity(
        [
            new Claim(ClaimTypes.Name, key.Name),
            new Claim(FingerprintClaim, keys.Fingerprint(key.Name)!),
            .. key.Scopes.Select(scope => new Claim(AccessSetup.ScopeClaim, scope)),
        ], CookieScheme));

    private static Task Redirect(RedirectContext<CookieAuthenticationOptions> context)
    {
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }

    private static bool AcceptsHtml(HttpRequest request) =>
        request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase);
}
