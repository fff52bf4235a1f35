using System.Net;
using Storemon.Tests.Databases;

namespace Storemon.Tests.Api;

/// <summary>The job dashboard in a browser: sign in once with an admin key, then a cookie for /jobs only.</summary>
public abstract class DashboardLoginTests(DatabaseKind kind) : ServiceTest(kind, ServiceFactory.Keys(
    ("reader", ReaderKey, "reports:read"),
    ("operator", AdminKey, "admin")))
{
    private const string ReaderKey = "reader-key-0123456789";
    private const string AdminKey = "admin-key-0123456789";

    private HttpClient Browser() => Service.Browser();

    private static FormUrlEncodedContent Form(string key) => new([new("key", key)]);

    [SkippableFact]
    public async Task A_browser_without_a_session_is_sent_to_the_sign_in_page_which_asks_for_a_key()
    {
        using var browser = Browser();

        using var dashboard = await browser.GetAsync("/jobs");
        using var login = await browser.GetAsync(dashboard.Headers.Location);

        Assert.Equal(HttpStatusCode.Redirect, dashboard.StatusCode);
        Assert.Equal("/jobs/login?ReturnUrl=%2Fjobs", dashboard.Headers.Location!.PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.Equal("text/html", login.Content.Headers.ContentType!.MediaType);
        Assert.Contains("<input id=\"key\" name=\"key\" type=\"password\"", await login.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Signing_in_with_the_admin_key_sets_an_http_only_strict_cookie_for_jobs_that_opens_the_dashboard()
    {
        using var browser = Browser();

        using var signIn = await browser.PostAsync("/jobs/login", Form(AdminKey));
        using var dashboard = await browser.GetAsync("/jobs");

        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Equal("/jobs", signIn.Headers.Location!.OriginalString);
        var cookie = signIn.Headers.GetValues("Set-Cookie").Single();
        Assert.StartsWith("storemon.jobs=", cookie, StringComparison.Ordinal);
        Assert.Contains("path=/jobs", cookie, StringComparison.Ordinal);
        Assert.Contains("samesite=strict", cookie, StringComparison.Ordinal);
        Assert.Contains("httponly", cookie, StringComparison.Ordinal);
        Assert.DoesNotContain(AdminKey, cookie, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        Assert.Contains("Hangfire Dashboard", await dashboard.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [SkippableTheory]
    [InlineData("not-a-configured-key-at-all", HttpStatusCode.Unauthorized, "That key is not valid.")]
    [InlineData(ReaderKey, HttpStatusCode.Forbidden, "That key has no admin scope; the job dashboard needs one.")]
    public async Task A_wrong_or_non_admin_key_gets_the_sign_in_page_again_with_the_reason_and_no_cookie(string key, HttpStatusCode status, string reason)
    {
        using var browser = Browser();

        using var signIn = await browser.PostAsync("/jobs/login", Form(key));
        using var dashboard = await browser.GetAsync("/jobs");

        Assert.Equal(status, signIn.StatusCode);
        Assert.Contains(reason, await signIn.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(signIn.Headers.Contains("Set-Cookie"));
        Assert.Equal(HttpStatusCode.Redirect, dashboard.StatusCode);
    }

    [SkippableFact]
    public async Task The_session_cookie_opens_nothing_but_the_dashboard()
    {
        var cookie = await Service.SignInToDashboard(AdminKey);

        // Sent by hand to another endpoint (a browser would not send it outside /jobs at all).
        using var request = new HttpRequestMessage(HttpMethod.Get, "/reports");
        request.Headers.Add("Cookie", cookie);
        using var reports = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, reports.StatusCode);
    }

    [SkippableFact]
    public async Task Signing_out_ends_the_session()
    {
        using var browser = Browser();
        using var signIn = await browser.PostAsync("/jobs/login", Form(AdminKey));

        using var signOut = await browser.PostAsync("/jobs/logout", null);
        using var dashboard = await browser.GetAsync("/jobs");

        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, dashboard.StatusCode);
        Assert.StartsWith("/jobs/login", dashboard.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task A_program_asking_for_the_dashboard_without_a_key_still_gets_the_api_401()
    {
        using var dashboard = await Client.GetAsync("/jobs");

        Assert.Equal("Send an API key in the X-Api-Key header.", await dashboard.AssertProblem(HttpStatusCode.Unauthorized, "An API key is required"));
    }
}

public sealed class DashboardLoginTests_Sqlite() : DashboardLoginTests(DatabaseKind.Sqlite);

public sealed class DashboardLoginTests_Postgres() : DashboardLoginTests(DatabaseKind.Postgres);
