using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using NodaTime;
using NodaTime.Text;
using Storemon.Engine;
using Storemon.Storage;

namespace Storemon.Tests.Api;

/// <summary>The calls the API tests make again and again, and the checks of what comes back.</summary>
internal static class ServiceCalls
{
    /// <summary>Triggers a report (with an optional JSON body) and returns its id.</summary>
    public static async Task<string> TriggerReport(this HttpClient client, object? body = null)
    {
        using var response = body is null ? await client.PostAsync("/trigger_report", null) : await client.PostAsJsonAsync("/trigger_report", body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("report_id").GetString()!;
    }

    /// <summary>Polls get_report until the report is no longer Running, and returns that answer.</summary>
    public static async Task<JsonElement> WaitUntilFinished(this HttpClient client, string id, TimeSpan? limit = null)
    {
        var attempts = (int)((limit ?? TimeSpan.FromSeconds(30)) / TimeSpan.FromMilliseconds(50));
        for (var attempt = 0; attempt < attempts; attempt++)
        {
            var body = await client.GetFromJsonAsync<JsonElement>($"/get_report?report_id={id}");
            if (body.GetProperty("status").GetString() != "Running")
            {
                return body;
            }
            await Task.Delay(50);
        }
        var report = await client.GetStringAsync($"/reports/{id}");
        throw new TimeoutException(FormattableString.Invariant($"Report {id} did not finish in {(limit ?? TimeSpan.FromSeconds(30)).TotalSeconds} s: {report}"));
    }

    /// <summary>Triggers a report and returns its CSV once it is complete.</summary>
    public static async Task<string> CompleteReport(this HttpClient client, object? body = null) =>
        CsvOf(await client.WaitUntilFinished(await client.TriggerReport(body)));

    /// <summary>The CSV of a finished get_report answer, which must be Complete (else the answer, with its error, is the message).</summary>
    public static string CsvOf(JsonElement finished)
    {
        Assert.True(finished.GetProperty("status").GetString() == "Complete", $"The report did not complete: {finished}");
        return finished.GetProperty("csv").GetString()!;
    }

    /// <summary>
    /// Triggers a report that must fail, and returns its reason once it has: a failed report has no CSV
    /// at all, and its download is a 409 problem that gives the reason.
    /// </summary>
    public static async Task<string> FailedReport(this HttpClient client)
    {
        var id = await client.TriggerReport();
        var failed = await client.WaitUntilFinished(id);
        using var download = await client.GetAsync($"/reports/{id}/csv");

        Assert.Equal("Failed", failed.GetProperty("status").GetString());
        var error = failed.GetProperty("error").GetString()!;
        Assert.False(failed.TryGetProperty("csv", out _));
        var detail = await download.AssertProblem(HttpStatusCode.Conflict, "The report is not complete");
        Assert.Equal($"The report failed: {error}", detail);
        return error;
    }

    /// <summary>
    /// Imports the SPEC's worked example, store <c>worked</c>: open Monday 09:00–12:00 in New York (UTC−4 in
    /// October), polled on Monday 14 October 2024 at 10:14 local (active) and 11:15 local (inactive).
    /// </summary>
    public static async Task ImportWorkedExample(this HttpClient client)
    {
        await client.PostCsv("/imports/hours", "store_id,dayOfWeek,start_time_local,end_time_local\nworked,0,09:00:00,12:00:00\n");
        await client.PostCsv("/imports/timezones", "store_id,timezone_str\nworked,America/New_York\n");
        await client.PostPolls(("worked", "active", "2024-10-14 14:14:00 UTC"), ("worked", "inactive", "2024-10-14 15:15:00 UTC"));
    }

    /// <summary>POSTs <paramref name="csv"/> as a <c>text/csv</c> body.</summary>
    public static async Task<HttpResponseMessage> PostCsv(this HttpClient client, string path, string csv)
    {
        using var content = new StringContent(csv, Encoding.UTF8, "text/csv");
        return await client.PostAsync(path, content);
    }

    /// <summary>POSTs polls as the JSON array of <c>/polls</c>.</summary>
    public static Task<HttpResponseMessage> PostPolls(this HttpClient client, params (string StoreId, string Status, string Timestamp)[] polls) =>
        client.PostAsJsonAsync("/polls", polls.Select(p => new { store_id = p.StoreId, status = p.Status, timestamp_utc = p.Timestamp }));

    /// <summary>POSTs polls as the JSON array of <c>/polls</c>, their times in ISO 8601.</summary>
    public static Task<HttpResponseMessage> PostPolls(this HttpClient client, IEnumerable<PollRow> polls) =>
        client.PostPolls([.. polls.Select(p => (p.StoreId, p.Active ? "active" : "inactive",
            InstantPattern.ExtendedIso.Format(Instant.FromUnixTimeTicks(p.UnixMicroseconds * Poll.TicksPerMicrosecond))))]);

    /// <summary>Asserts a successful upload and returns its summary.</summary>
    public static async Task<JsonElement> Summary(this HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>
    /// Asserts that <paramref name="response"/> is a ProblemDetails body with this status and title,
    /// and returns its detail.
    /// </summary>
    public static async Task<string?> AssertProblem(this HttpResponseMessage response, HttpStatusCode status, string title)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.Equal(title, problem.GetProperty("title").GetString());
        return problem.TryGetProperty("detail", out var detail) ? detail.GetString() : null;
    }

    /// <summary>
    /// A client like a browser: does not follow redirects (so that each can be seen), asks for HTML, and
    /// keeps cookies, unless <paramref name="keepsCookies"/> is false (to send one by hand).
    /// </summary>
    public static HttpClient Browser(this ServiceFactory service, bool keepsCookies = true)
    {
        var browser = service.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = keepsCookies });
        browser.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));
        return browser;
    }

    /// <summary>Signs in with <paramref name="key"/>; returns the session cookie as a browser sends it back (<c>storemon.session=…</c>).</summary>
    public static async Task<string> SignInToDashboard(this ServiceFactory service, string key)
    {
        using var browser = service.Browser(keepsCookies: false);
        return await browser.SignInToDashboard(key);
    }

    /// <summary>Signs in on /ui/login with <paramref name="key"/> as a browser does (the form's anti-forgery token and cookie); returns the session cookie.</summary>
    public static async Task<string> SignInToDashboard(this HttpClient browser, string key)
    {
        using var signIn = await browser.PostSignIn(key);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        return signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("storemon.session=", StringComparison.Ordinal)).Split(';')[0];
    }

    /// <summary>Posts the sign-in form with <paramref name="key"/>, its anti-forgery token read from the sign-in page first.</summary>
    public static async Task<HttpResponseMessage> PostSignIn(this HttpClient browser, string key, string returnUrl = "")
    {
        var (token, cookie) = await browser.FormToken("/ui/login");
        var request = new HttpRequestMessage(HttpMethod.Post, "/ui/login")
        {
            Content = new FormUrlEncodedContent([new("key", key), new("ReturnUrl", returnUrl), new("__RequestVerificationToken", token)]),
        };
        request.Headers.Add("Cookie", cookie);
        return await browser.SendAsync(request);
    }

    /// <summary>The anti-forgery token of the first form of a page, and the cookie it goes with.</summary>
    public static async Task<(string Token, string Cookie)> FormToken(this HttpClient browser, string page, string? sessionCookie = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, page);
        if (sessionCookie is not null)
        {
            request.Headers.Add("Cookie", sessionCookie);
        }
        using var response = await browser.SendAsync(request);
        var html = await response.Content.ReadAsStringAsync();
        var token = System.Text.RegularExpressions.Regex.Match(html, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        Assert.NotEmpty(token);
        var cookie = response.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]).Single(c => c.StartsWith(".AspNetCore.Antiforgery.", StringComparison.Ordinal));
        return (token, sessionCookie is null ? cookie : $"{cookie}; {sessionCookie}");
    }

    /// <summary>GET /jobs with a session cookie sent by hand (as another node of the service would receive it).</summary>
    public static Task<HttpResponseMessage> GetDashboard(this HttpClient client, string cookie) => client.GetWithCookie("/jobs", cookie);

    /// <summary>GET <paramref name="path"/> with a cookie sent by hand.</summary>
    public static async Task<HttpResponseMessage> GetWithCookie(this HttpClient client, string path, string cookie)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", cookie);
        return await client.SendAsync(request);
    }

    /// <summary>
    /// Posts the pages' trigger form (<c>/ui?handler=Trigger</c>) with <paramref name="fields"/>, as a browser
    /// does: the form's anti-forgery token read from <c>/ui</c> first, under <paramref name="session"/> if any.
    /// </summary>
    public static async Task<HttpResponseMessage> PostTriggerForm(this HttpClient browser, string? session, params KeyValuePair<string, string>[] fields)
    {
        var (token, cookie) = await browser.FormToken("/ui", session);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/ui?handler=Trigger")
        {
            Content = new FormUrlEncodedContent([.. fields, new("__RequestVerificationToken", token)]),
        };
        request.Headers.Add("Cookie", cookie);
        return await browser.SendAsync(request);
    }

    /// <summary>
    /// Posts <paramref name="form"/> to the job dashboard's <paramref name="action"/> as its page <paramref name="page"/>
    /// does: with the page's anti-forgery token (its <c>csrf-token</c> meta tag) and cookie, under <paramref name="session"/>.
    /// </summary>
    public static async Task<HttpResponseMessage> PostDashboardAction(
        this HttpClient browser, string page, string action, string session, params KeyValuePair<string, string>[] form)
    {
        using var shown = await browser.GetWithCookie(page, session);
        var html = await shown.Content.ReadAsStringAsync();
        var token = System.Text.RegularExpressions.Regex.Match(html, "<meta name=\"csrf-token\" content=\"([^\"]+)\">").Groups[1].Value;
        var antiforgery = shown.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]).Single(c => c.StartsWith(".AspNetCore.Antiforgery.", StringComparison.Ordinal));
        using var request = new HttpRequestMessage(HttpMethod.Post, action) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add("Cookie", $"{antiforgery}; {session}");
        request.Headers.Add("RequestVerificationToken", token);
        return await browser.SendAsync(request);
    }

    /// <summary>Signs out of <paramref name="session"/> as the pages' sign-out button does (with its form's anti-forgery token).</summary>
    public static async Task<HttpResponseMessage> SignOut(this HttpClient browser, string session)
    {
        var (token, cookies) = await browser.FormToken("/ui", session);
        using var signOut = new HttpRequestMessage(HttpMethod.Post, "/ui/logout") { Content = new FormUrlEncodedContent([new("__RequestVerificationToken", token)]) };
        signOut.Headers.Add("Cookie", cookies);
        return await browser.SendAsync(signOut);
    }

    /// <summary>
    /// The polls of one store: one an hour for <paramref name="hours"/> hours up to and including
    /// <paramref name="last"/>, inactive every fifth hour (shifted by <paramref name="seed"/>).
    /// </summary>
    public static IEnumerable<PollRow> HourlyPolls(string storeId, Instant last, int hours, int seed = 0) =>
        Enumerable.Range(0, hours).Select(h => new PollRow(
            storeId, (last - Duration.FromHours(hours - 1 - h)).ToUnixTimeTicks() / Poll.TicksPerMicrosecond, (h + seed) % 5 != 0));
}
