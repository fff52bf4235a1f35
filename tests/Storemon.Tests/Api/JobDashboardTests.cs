using System.Net;
using Hangfire;
using Hangfire.States;
using Microsoft.Extensions.DependencyInjection;
using Storemon.Tests.Databases;

namespace Storemon.Tests.Api;

/// <summary>
/// The job dashboard (Hangfire's, under /jobs) for an admin: every one of its routes answers any method
/// without a server error, and its actions are refused to a page of another site (no anti-forgery token)
/// even with the admin's session cookie.
/// </summary>
public abstract class JobDashboardTests(DatabaseKind kind) : ServiceTest(kind, ServiceFactory.Keys(("operator", AdminKey, "admin")))
{
    private const string AdminKey = "admin-key-0123456789";

    // Hangfire's dashboard routes, their patterns filled in; the first group are pages, the rest its actions (POST only).
    private static readonly string[] Pages =
    [
        "", "/jobs/enqueued", "/jobs/enqueued/fetched/default", "/jobs/enqueued/default", "/jobs/processing", "/jobs/scheduled",
        "/jobs/succeeded", "/jobs/failed", "/jobs/deleted", "/jobs/awaiting", "/recurring", "/servers", "/retries",
    ];

    private static readonly string[] Actions =
    [
        "/stats", "/jobs/enqueued/delete", "/jobs/enqueued/requeue", "/jobs/processing/delete", "/jobs/processing/requeue",
        "/jobs/scheduled/enqueue", "/jobs/scheduled/delete", "/jobs/succeeded/requeue", "/jobs/failed/requeue", "/jobs/failed/delete",
        "/jobs/deleted/requeue", "/jobs/awaiting/enqueue", "/jobs/awaiting/delete", "/jobs/actions/requeue/1", "/jobs/actions/delete/1",
        "/recurring/remove", "/recurring/trigger",
    ];

    public static TheoryData<string> ActionRoutes => [.. Actions];

    [SkippableFact]
    public async Task Every_page_of_the_dashboard_opens_and_no_route_answers_any_method_with_a_server_error()
    {
        using var client = Service.CreateClient(AdminKey);
        var failures = new List<string>();

        foreach (var path in Pages.Concat(Actions).Concat(["/jobs/details/1", "/jobs/details/abc", "/jobs/details/99999999999999999999", "/jobs/actions/delete/abc", "/nothing-here"]))
        {
            foreach (var method in new[] { "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH" })
            {
                using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), "/jobs" + path));
                if ((int)response.StatusCode >= 500 || (Pages.Contains(path) && method == "GET" && response.StatusCode != HttpStatusCode.OK))
                {
                    failures.Add($"{method} /jobs{path}: {(int)response.StatusCode}");
                }
            }
        }

        Assert.Empty(failures);
    }

    [SkippableTheory]
    [MemberData(nameof(ActionRoutes))]
    public async Task An_action_asked_for_with_get_is_a_405_problem_saying_it_is_posted(string action)
    {
        using var client = Service.CreateClient(AdminKey);

        using var response = await client.GetAsync("/jobs" + action);

        Assert.Equal($"/jobs{action} answers POST only: the dashboard's pages post it, with the page's anti-forgery token.",
            await response.AssertProblem(HttpStatusCode.MethodNotAllowed, "Method not allowed"));
        Assert.Equal(["POST"], response.Content.Headers.Allow);
    }

    [SkippableTheory]
    [InlineData("abc")]
    [InlineData("99999999999999999999")]
    [InlineData("123456")]
    public async Task The_page_of_a_job_that_is_not_there_is_a_404(string jobId)
    {
        using var client = Service.CreateClient(AdminKey);

        using var response = await client.GetAsync("/jobs/jobs/details/" + jobId);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [SkippableFact]
    public async Task Another_sites_page_posting_an_action_with_the_admins_session_cookie_deletes_nothing()
    {
        var jobId = Service.Services.GetRequiredService<IBackgroundJobClient>().Create(() => Console.WriteLine("later"), new ScheduledState(TimeSpan.FromDays(1)));
        using var browser = Service.Browser(keepsCookies: false);
        var session = await browser.SignInToDashboard(AdminKey);

        using var forged = new HttpRequestMessage(HttpMethod.Post, "/jobs/jobs/scheduled/delete") { Content = new FormUrlEncodedContent([new("jobs[]", jobId)]) };
        forged.Headers.Add("Cookie", session);
        forged.Headers.Add("Origin", "https://elsewhere.example");
        using var refused = await browser.SendAsync(forged);
        var stateAfterForgery = JobState(jobId);

        // The dashboard's own page posts the same form with its token: that one is done.
        using var done = await browser.PostDashboardAction("/jobs/jobs/scheduled", "/jobs/jobs/scheduled/delete", session, KeyValuePair.Create("jobs[]", jobId));

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(ScheduledState.StateName, stateAfterForgery);
        Assert.Equal(HttpStatusCode.NoContent, done.StatusCode);
        Assert.Equal(DeletedState.StateName, JobState(jobId));
    }

    [SkippableTheory]
    [InlineData("/jobs/login")]
    [InlineData("/jobs/logout")]
    [InlineData("/ui/login")]
    [InlineData("/ui/logout")]
    public async Task A_sign_in_or_out_posted_by_another_sites_page_is_refused(string path)
    {
        using var browser = Service.Browser(keepsCookies: false);
        var session = await browser.SignInToDashboard(AdminKey);

        using var forged = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent([new("key", AdminKey)]) };
        forged.Headers.Add("Cookie", session);
        forged.Headers.Add("Origin", "https://elsewhere.example");
        using var response = await browser.SendAsync(forged);
        using var stillSignedIn = await browser.GetDashboard(session);

        Assert.InRange((int)response.StatusCode, 400, 499);
        Assert.DoesNotContain(response.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : [], c => c.StartsWith("storemon.session=", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, stillSignedIn.StatusCode);
    }

    private string JobState(string jobId) => Service.Services.GetRequiredService<JobStorage>().GetConnection().GetStateData(jobId).Name;
}

public sealed class JobDashboardTests_Sqlite() : JobDashboardTests(DatabaseKind.Sqlite);

public sealed class JobDashboardTests_Postgres() : JobDashboardTests(DatabaseKind.Postgres);
