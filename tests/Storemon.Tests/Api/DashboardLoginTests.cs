using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Storemon.Tests.Databases;

namespace Storemon.Tests.Api;

/// <summary>People in a browser: sign in once at /ui/login with a key, then a session cookie for the pages and, with admin, the job dashboard.</summary>
public abstract class DashboardLoginTests(DatabaseKind kind) : ServiceTest(kind, ServiceFactory.Keys(
    ("reader", ReaderKey, "reports:read"),
    ("operator", AdminKey, "admin")))
{
    private const string ReaderKey = "reader-key-0123456789";
    private const string AdminKey = "admin-key-0123456789";

    private HttpClient Browser(bool keepsCookies = true) => Service.Browser(keepsCookies);

    [SkippableFact]
    public async Task A_browser_without_a_session_is_sent_to_the_one_sign_in_page_which_asks_for_a_key()
    {
        using var browser = Browser();

        using var dashboard = await browser.GetAsync("/jobs");
        using var pages = await browser.GetAsync("/ui");
        using var login = await browser.GetAsync(dashboard.Headers.Location);
        using var oldLogin = await browser.GetAsync("/jobs/login");

        Assert.Equal(HttpStatusCode.Redirect, dashboard.StatusCode);
        Assert.Equal("/ui/login?ReturnUrl=%2Fjobs", dashboard.Headers.Location!.PathAndQuery);
        Assert.Equal("/ui/login?ReturnUrl=%2Fui", pages.Headers.Location!.PathAndQuery);
        Assert.Equal("/ui/login?ReturnUrl=%2Fjobs", oldLogin.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.Equal("text/html", login.Content.Headers.ContentType!.MediaType);
        Assert.Contains("<input id=\"key\" name=\"key\" type=\"password\"", await login.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Signing_in_with_the_admin_key_sets_an_http_only_strict_session_cookie_that_opens_the_dashboard_and_the_pages()
    {
        using var browser = Browser(keepsCookies: false);

        using var signIn = await browser.PostSignIn(AdminKey, "/jobs");
        var cookie = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("storemon.session=", StringComparison.Ordinal));
        using var dashboard = await browser.GetDashboard(cookie.Split(';')[0]);
        using var pages = await browser.GetWithCookie("/ui", cookie.Split(';')[0]);

        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Equal("/jobs", signIn.Headers.Location!.OriginalString);
        Assert.Contains("path=/", cookie, StringComparison.Ordinal);
        Assert.Contains("samesite=strict", cookie, StringComparison.Ordinal);
        Assert.Contains("httponly", cookie, StringComparison.Ordinal);
        Assert.DoesNotContain(AdminKey, cookie, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        Assert.Contains("Hangfire Dashboard", await dashboard.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, pages.StatusCode);
        Assert.DoesNotContain(AdminKey, await pages.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task A_wrong_key_gets_the_sign_in_page_again_with_the_reason_and_no_session()
    {
        using var browser = Browser(keepsCookies: false);

        using var signIn = await browser.PostSignIn("not-a-configured-key-at-all");

        Assert.Equal(HttpStatusCode.Unauthorized, signIn.StatusCode);
        Assert.Contains("That key is not valid.", await signIn.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(signIn.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : [], c => c.StartsWith("storemon.session=", StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task A_session_of_a_key_without_admin_opens_the_pages_but_not_the_dashboard()
    {
        var cookie = await Service.SignInToDashboard(ReaderKey);
        using var browser = Browser(keepsCookies: false);

        using var pages = await browser.GetWithCookie("/ui", cookie);
        using var dashboard = await browser.GetDashboard(cookie);

        Assert.Equal(HttpStatusCode.OK, pages.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, dashboard.StatusCode);
        Assert.StartsWith("/ui/login", dashboard.Headers.Location!.AbsolutePath, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task A_sign_in_without_the_forms_anti_forgery_token_is_refused()
    {
        using var browser = Browser(keepsCookies: false);

        using var signIn = await browser.PostAsync("/ui/login", new FormUrlEncodedContent([new("key", AdminKey)]));

        Assert.Equal(HttpStatusCode.BadRequest, signIn.StatusCode);
        Assert.False(signIn.Headers.Contains("Set-Cookie"));
    }

    [SkippableFact]
    public async Task The_session_cookie_opens_no_api_endpoint()
    {
        var cookie = await Service.SignInToDashboard(AdminKey);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/reports");
        request.Headers.Add("Cookie", cookie);
        using var reports = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, reports.StatusCode);
    }

    [SkippableFact]
    public async Task Signing_out_ends_the_session()
    {
        using var browser = Browser(keepsCookies: false);
        var session = await browser.SignInToDashboard(AdminKey);

        using var signedOut = await browser.SignOut(session);

        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        Assert.Equal("/ui/login", signedOut.Headers.Location!.OriginalString);
        var cleared = signedOut.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("storemon.session=", StringComparison.Ordinal));
        Assert.Contains("expires=Thu, 01 Jan 1970", cleared, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task A_program_asking_for_the_dashboard_or_a_page_without_a_key_still_gets_the_api_401()
    {
        using var dashboard = await Client.GetAsync("/jobs");
        using var pages = await Client.GetAsync("/ui");

        Assert.Equal("Send an API key in the X-Api-Key header.", await dashboard.AssertProblem(HttpStatusCode.Unauthorized, "An API key is required"));
        Assert.Equal("Send an API key in the X-Api-Key header.", await pages.AssertProblem(HttpStatusCode.Unauthorized, "An API key is required"));
    }

    [SkippableTheory]
    [InlineData("GET")]
    [InlineData("PUT")]
    public async Task The_dashboards_stats_asked_for_with_a_method_other_than_post_are_a_405_problem_not_a_500(string method)
    {
        using var client = Service.CreateClient(AdminKey);

        using var stats = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), "/jobs/stats"));

        Assert.Equal("/jobs/stats answers POST only: the dashboard's pages post it, with the page's anti-forgery token.",
            await stats.AssertProblem(HttpStatusCode.MethodNotAllowed, "Method not allowed"));
        Assert.Equal(["POST"], stats.Content.Headers.Allow);
    }

    [SkippableFact]
    public async Task The_dashboards_stats_posted_as_its_page_does_answer_the_metrics_as_json()
    {
        using var browser = Browser(keepsCookies: false);
        var session = await browser.SignInToDashboard(AdminKey);

        using var stats = await browser.PostDashboardAction("/jobs", "/jobs/stats", session, new("metrics[]", "retries:count"), new("metrics[]", "failed:count"));
        var body = await stats.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, stats.StatusCode);
        Assert.Equal("application/json", stats.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, body.GetProperty("retries:count").GetProperty("intValue").GetInt64());
        Assert.Equal(0, body.GetProperty("failed:count").GetProperty("intValue").GetInt64());
    }
}

public sealed class DashboardLoginTests_Sqlite() : DashboardLoginTests(DatabaseKind.Sqlite);

public sealed class DashboardLoginTests_Postgres() : DashboardLoginTests(DatabaseKind.Postgres);
