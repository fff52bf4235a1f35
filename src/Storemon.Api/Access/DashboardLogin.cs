using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;

namespace Storemon.Api.Access;

/// <summary>
/// The job dashboard in a browser: a browser cannot send the <c>X-Api-Key</c> header, so an operator
/// signs in once with an admin key on <c>/jobs/login</c> and gets an HttpOnly, SameSite=Strict cookie
/// for <c>/jobs</c> only. Programs keep using the header; without keys configured the dashboard is open
/// like everything else.
/// </summary>
internal static class DashboardLogin
{
    public const string Policy = "dashboard";
    public const string Path = "/jobs";
    private const string Scheme = "Dashboard";
    private const string CookieScheme = "DashboardCookie";
    private const string LoginPath = Path + "/login";

    public static WebApplicationBuilder AddDashboardLogin(this WebApplicationBuilder builder)
    {
        builder.Services.AddAuthentication()
            .AddCookie(CookieScheme, options =>
            {
                options.Cookie.Name = "storemon.jobs";
                options.Cookie.Path = Path;
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Strict;
                options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.ExpireTimeSpan = TimeSpan.FromHours(8);
                options.SlidingExpiration = true;
                options.LoginPath = LoginPath;
                // A key removed from the configuration (or stripped of admin) stops its sessions at the next request.
                options.Events.OnValidatePrincipal = context =>
                {
                    var name = context.Principal?.Identity?.Name;
                    var keys = context.HttpContext.RequestServices.GetRequiredService<AccessSetup.KeyRing>();
                    if (name is null || !keys.IsAdmin(name))
                    {
                        context.RejectPrincipal();
                    }
                    return Task.CompletedTask;
                };
                // Only a browser is sent to the sign-in page; a program asking for the dashboard gets the API's 401.
                options.Events.OnRedirectToLogin = context =>
                {
                    if (AcceptsHtml(context.Request))
                    {
                        context.Response.Redirect(context.RedirectUri);
                        return Task.CompletedTask;
                    }
                    return context.HttpContext.ChallengeAsync(AccessSetup.Scheme);
                };
            })
            // The header when a request has one (or when the service is open), the cookie otherwise; a browser
            // without either is sent to the sign-in page, a program gets the API's 401.
            .AddPolicyScheme(Scheme, "API key or dashboard session", options =>
            {
                options.ForwardDefaultSelector = context =>
                    context.Request.Headers.ContainsKey(AccessSetup.HeaderName) || context.RequestServices.GetRequiredService<AccessSetup.KeyRing>().IsOpen
                        ? AccessSetup.Scheme
                        : CookieScheme;
            });
        builder.Services.AddAuthorizationBuilder().AddPolicy(Policy, policy => policy
            .AddAuthenticationSchemes(Scheme)
            .RequireAuthenticatedUser()
            .RequireClaim(AccessSetup.ScopeClaim, Scopes.Admin));
        return builder;
    }

    public static WebApplication MapDashboardLogin(this WebApplication app)
    {
        var login = app.MapGroup(LoginPath).AllowAnonymous().ExcludeFromDescription();
        login.MapGet("", () => Page(HttpStatusCode.OK, null));
        login.MapPost("", SignIn);
        app.MapPost(Path + "/logout", async (HttpContext context) =>
        {
            await context.SignOutAsync(CookieScheme);
            return Results.Redirect(LoginPath);
        }).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> SignIn(HttpContext context, AccessSetup.KeyRing keys)
    {
        if (!context.Request.HasFormContentType)
        {
            return Page(HttpStatusCode.BadRequest, "Send the key from the form.");
        }
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var key = keys.Find(form["key"].ToString());
        if (key is null)
        {
            return Page(HttpStatusCode.Unauthorized, "That key is not valid.");
        }
        if (!key.Scopes.Contains(Scopes.Admin))
        {
            return Page(HttpStatusCode.Forbidden, "That key has no admin scope; the job dashboard needs one.");
        }
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, key.Name), new Claim(AccessSetup.ScopeClaim, Scopes.Admin)], CookieScheme);
        await context.SignInAsync(CookieScheme, new ClaimsPrincipal(identity));
        return Results.Redirect(Path);
    }

    private static bool AcceptsHtml(HttpRequest request) =>
        request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase);

    // Hand-written and tiny: the one page the service renders itself.
    private static IResult Page(HttpStatusCode status, string? error) => Results.Content($$"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>storemon jobs: sign in</title>
        <style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto}input{width:100%;padding:.4rem;margin:.4rem 0}.error{color:#b00020}</style>
        </head><body>
        <h1>storemon jobs</h1>
        <p>Sign in with an API key that has the <code>admin</code> scope.</p>
        {{(error is null ? "" : $"<p class=\"error\" role=\"alert\">{WebUtility.HtmlEncode(error)}</p>")}}
        <form method="post" action="{{LoginPath}}">
        <label for="key">API key</label><input id="key" name="key" type="password" autocomplete="current-password" required autofocus>
        <button type="submit">Sign in</button>
        </form>
        </body></html>
        """, "text/html; charset=utf-8", statusCode: (int)status);
}
