using Microsoft.Extensions.Caching.Memory;
using NodaTime;
using Microsoft.AspNetCore.RateLimiting;
using Storemon.Api.Access;
using Storemon.Api.Limits;
using Storemon.Storage;

namespace Storemon.Api.Ui;

/// <summary>
/// The pages for people (<c>/ui</c>): Razor Pages rendered by the service itself, with their small
/// stylesheet and script inline, so that nothing is fetched from anywhere else (users run the service
/// behind firewalls). Every page needs a browser session (or the open mode) with reports:read; the
/// trigger form needs reports:write. Razor Pages check the anti-forgery token of every form post.
/// </summary>
internal static class PagesSetup
{
    /// <summary>Rows of report tables kept in memory at most, over all reports (~100 bytes a row).</summary>
    private const long CachedRows = 2_000_000;

    public static WebApplicationBuilder AddPages(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorPages(options =>
        {
            options.RootDirectory = "/Ui/Pages";
            options.Conventions.AuthorizeFolder("/", BrowserSessions.Read);
            options.Conventions.AllowAnonymousToPage("/Login");
            // The trigger form takes from the same per-key limit as trigger_report (GET is not limited).
            options.Conventions.AddPageApplicationModelConvention("/Index", page => page.EndpointMetadata.Add(new EnableRateLimitingAttribute(KeyLimits.Triggers)));
        });
        builder.Services.AddSingleton(services => new UiAccess(services.GetRequiredService<AccessSetup.KeyRing>(), services.GetRequiredService<FailedKeys>()));
        builder.Services.AddSingleton(services => new ReportTables(
            services.GetRequiredService<IReportStore>(), new MemoryCache(new MemoryCacheOptions { SizeLimit = CachedRows })));
        return builder;
    }

    public static WebApplication MapPages(this WebApplication app)
    {
        app.MapRazorPages();
        // What the pages' script and links ask for, under the pages' session rather than an API key.
        var report = app.MapGroup("/ui/reports/{id}").RequireAuthorization(BrowserSessions.Read).ExcludeFromDescription();
        report.MapGet("/status", Status);
        report.MapGet("/report.csv", Csv);
        return app;
    }

    private static IResult Status(string id, IReportStore reports, IClock clock) =>
        reports.FindReport(id) is { } report
            ? TypedResults.Ok(new UiReportStatus(report.Status.ToString(), report.StoresDone, report.StoresTotal,
                report.RowCount is { } rows ? UiFormat.Count(rows) : "", UiFormat.Duration(report, clock.GetCurrentInstant()), report.Error))
            : TypedResults.NotFound();

    private static IResult Csv(string id, IReportStore reports) =>
        reports.OpenReportCsv(id) is { } csv ? TypedResults.Stream(csv, "text/csv", $"report-{id}.csv") : TypedResults.NotFound();
}

/// <summary>What the pages need of the service's keys: whether it is open, and signing people in and out.</summary>
public sealed class UiAccess
{
    private readonly AccessSetup.KeyRing _keys;
    private readonly FailedKeys _failedKeys;

    internal UiAccess(AccessSetup.KeyRing keys, FailedKeys failedKeys)
    {
        _keys = keys;
        _failedKeys = failedKeys;
    }

    /// <summary>No key is configured: everything is open to anyone who can reach the service.</summary>
    public bool IsOpen => _keys.IsOpen;

    /// <summary>How long this browser's address may not sign in (too many wrong keys, see <see cref="FailedKeys"/>); null when it may.</summary>
    public TimeSpan? SignInRefusal(HttpContext context) => _failedKeys.Refusal(context);

    /// <summary>Why sign-in is refused for now, before its "Try again in …".</summary>
    public string SignInRefusalDetail => _failedKeys.RefusalDetail;

    /// <summary>Starts a session for the key presented, or says why not (null when signed in). A wrong key counts against the address.</summary>
    public async Task<string?> SignIn(HttpContext context, string presented)
    {
        if (string.IsNullOrEmpty(presented))
        {
            return "That key is not valid.";
        }
        if (_keys.Find(presented) is not { } key)
        {
            _failedKeys.Failed(context);
            return "That key is not valid.";
        }
        if (!key.Scopes.Contains(Scopes.ReportsRead) && !key.Scopes.Contains(Scopes.Admin))
        {
            return "That key may not read reports (it lacks the reports:read scope), which the pages show.";
        }
        await BrowserSessions.SignIn(context, key);
        return null;
    }

    public Task SignOut(HttpContext context) => BrowserSessions.SignOut(context);

    /// <summary>Whether the signed-in person (or anyone, when open) may trigger reports.</summary>
    public static bool MayTrigger(System.Security.Claims.ClaimsPrincipal user) => BrowserSessions.Has(user, Scopes.ReportsWrite);

    /// <summary>Whether the signed-in person may open the job dashboard.</summary>
    public static bool MayOpenJobs(System.Security.Claims.ClaimsPrincipal user) => BrowserSessions.Has(user, Scopes.Admin);
}

/// <summary>A report's state as the reports page refreshes it.</summary>
public sealed record UiReportStatus(string Status, int StoresDone, int StoresTotal, string Stores, string Took, string? Error);
