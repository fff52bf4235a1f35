using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Storemon.Tests.Databases;

namespace Storemon.Tests.Api;

/// <summary>The report page's HTML as the service renders it: ids escaped, sorting, searching and paging on the server.</summary>
public abstract class ReportPageTests(DatabaseKind kind) : ServiceTest(kind)
{
    private async Task<string> Page(string path)
    {
        using var browser = Service.Browser();
        using var response = await browser.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    [SkippableFact]
    public async Task Store_ids_that_are_html_or_formulas_are_shown_as_text_and_linked_url_encoded()
    {
        await Client.PostPolls(
            ("<script>alert(1)</script>", "active", "2023-01-25 17:00:00 UTC"),
            ("=HYPERLINK(\"x\")", "inactive", "2023-01-25 17:00:00 UTC"),
            ("a&b", "active", "2023-01-25 17:30:00 UTC"));
        var id = await Client.TriggerReport();
        Assert.Equal("Complete", (await Client.WaitUntilFinished(id)).GetProperty("status").GetString());

        var html = await Page($"/ui/reports/{id}");

        Assert.DoesNotContain("<script>alert(1)</script>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("/stores/%3Cscript%3Ealert%281%29%3C%2Fscript%3E\"", html, StringComparison.Ordinal);
        Assert.Contains(">=HYPERLINK(&quot;x&quot;)</a>", html, StringComparison.Ordinal);
        Assert.Contains(">a&amp;b</a>", html, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task The_stores_are_sorted_searched_and_paged_on_the_server()
    {
        // 120 stores, each polled once: store-000 … store-119, the even ones up, the odd ones down.
        await Client.PostPolls([.. Enumerable.Range(0, 120).Select(i =>
            (FormattableString.Invariant($"store-{i:D3}"), i % 2 == 0 ? "active" : "inactive", "2023-01-25 17:00:00 UTC"))]);
        var id = await Client.TriggerReport();
        Assert.Equal("Complete", (await Client.WaitUntilFinished(id)).GetProperty("status").GetString());

        var first = await Page($"/ui/reports/{id}");
        var last = await Page($"/ui/reports/{id}?sort=store_id&dir=asc&page=3");
        var worst = await Page($"/ui/reports/{id}?sort=downtime_last_week&dir=desc&q=store-11");

        Assert.Contains("No API key is configured: these pages, and every endpoint, are open to anyone who can reach this service.", first, StringComparison.Ordinal);
        Assert.Contains("120 of 120 stores.", first, StringComparison.Ordinal);
        Assert.Contains("Page 1 of 3", first, StringComparison.Ordinal);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => FormattableString.Invariant($"store-{i:D3}")), StoresOf(first));
        Assert.Equal(Enumerable.Range(100, 20).Select(i => FormattableString.Invariant($"store-{i:D3}")), StoresOf(last));
        Assert.Contains("10 of 120 stores match.", worst, StringComparison.Ordinal);
        Assert.Equal(["store-111", "store-113", "store-115", "store-117", "store-119", "store-110", "store-112", "store-114", "store-116", "store-118"], StoresOf(worst));
        Assert.Contains("aria-sort=\"descending\"", worst, StringComparison.Ordinal);
    }

    [SkippableTheory]
    [InlineData("/ui")]
    [InlineData("/ui/login")]
    [InlineData("/jobs")]
    [InlineData("/scalar")]
    public async Task No_page_may_be_framed_by_another_site(string path)
    {
        using var browser = Service.Browser();

        using var response = await browser.GetAsync(path);

        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Found, $"{path}: {response.StatusCode}");
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
    }

    [SkippableFact]
    public async Task An_unknown_report_is_a_404_page()
    {
        using var browser = Service.Browser();

        using var response = await browser.GetAsync("/ui/reports/nope");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("There is no report with id <code>nope</code>", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task A_stores_page_shows_its_row_and_the_segments_of_the_timeline_endpoint()
    {
        await Client.ImportWorkedExample();
        var id = await Complete(new { as_of = "2024-10-14T16:00:00Z", max_gap = "PT30M" });

        var html = await Page($"/ui/reports/{id}/stores/worked");
        var timeline = await Client.GetFromJsonAsync<JsonElement>($"/reports/{id}/stores/worked/timeline");

        Assert.Equal(["Up 0.00 1.00 1.00", "Down 45.00 1.00 1.00", "Unknown 15.00 1.00 1.00"], RowOf(html));
        Assert.Equal(
            timeline.GetProperty("segments").EnumerateArray().Select(s =>
                $"{s.GetProperty("start").GetString()} {s.GetProperty("end").GetString()} {s.GetProperty("status").GetString() switch { "active" => "up", "inactive" => "down", var other => other }}"),
            Regex.Matches(html, "<tr data-start=\"([^\"]+)\" data-end=\"([^\"]+)\" data-status=\"([^\"]+)\"").Select(m => $"{m.Groups[1]} {m.Groups[2]} {m.Groups[3]}"));
        Assert.Equal(5, timeline.GetProperty("segments").GetArrayLength());
        Assert.Equal(
            ["2024-10-07", "2024-10-08", "2024-10-09", "2024-10-10", "2024-10-11", "2024-10-12", "2024-10-13", "2024-10-14"],
            Regex.Matches(html, "<g data-lane=\"([^\"]+)\"").Select(m => m.Groups[1].Value));
        Assert.Contains("T is <strong>2024-10-14 16:00:00 UTC</strong> (asked for)", html, StringComparison.Ordinal);
        Assert.Contains("Business time farther than <strong>PT30M</strong> from the poll that would decide it is unknown.", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-mismatch", html, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task A_week_with_a_daylight_saving_change_has_a_23_hour_lane_and_says_so()
    {
        await Client.PostCsv("/imports/timezones", "store_id,timezone_str\ndst,America/New_York\n");
        await Client.PostPolls(("dst", "active", "2024-03-09 12:00:00 UTC"), ("dst", "inactive", "2024-03-11 12:00:00 UTC"));
        var id = await Complete(new { as_of = "2024-03-12T12:00:00Z" });

        var html = await Page($"/ui/reports/{id}/stores/dst");

        Assert.Contains("<g data-lane=\"2024-03-10\">", html, StringComparison.Ordinal);
        Assert.Contains("Sun 2024-03-10 (23 h)", html, StringComparison.Ordinal);
        Assert.Contains("On Sun 2024-03-10 the clocks change: that day is 23 hours long", html, StringComparison.Ordinal);
        Assert.Single(Regex.Matches(html, "\\(23 h\\)"));
        // 24 x 7 hours (no hours imported), the nearest poll deciding: up to the midpoint of the two polls, down after.
        Assert.Equal(["Up 0.00 0.00 120.00", "Down 60.00 24.00 48.00"], RowOf(html));
    }

    [SkippableFact]
    public async Task A_store_without_a_row_in_the_report_is_a_404_page_saying_so()
    {
        await Client.ImportWorkedExample();
        var id = await Complete(new { as_of = "2024-10-14T16:00:00Z" });
        using var browser = Service.Browser();

        using var response = await browser.GetAsync($"/ui/reports/{id}/stores/nobody");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains($"Report {id} has no row for store &#x27;nobody&#x27;.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private async Task<string> Complete(object body)
    {
        var id = await Client.TriggerReport(body);
        Assert.Equal("Complete", (await Client.WaitUntilFinished(id)).GetProperty("status").GetString());
        return id;
    }

    // The row table of a store's page, a line per status: "Up 0.00 1.00 1.00".
    private static string[] RowOf(string html) =>
        [.. Regex.Matches(html, "<tr data-status=\"(up|down|unknown)\"><th scope=\"row\">(\\w+)</th><td>([^<]+)</td><td>([^<]+)</td><td>([^<]+)</td></tr>")
            .Select(m => $"{m.Groups[2]} {m.Groups[3]} {m.Groups[4]} {m.Groups[5]}")];

    private static string[] StoresOf(string html) =>
        [.. Regex.Matches(html, "<tr data-store=\"([^\"]+)\"").Select(m => WebUtility.HtmlDecode(m.Groups[1].Value))];
}

public sealed class ReportPageTests_Sqlite() : ReportPageTests(DatabaseKind.Sqlite);

public sealed class ReportPageTests_Postgres() : ReportPageTests(DatabaseKind.Postgres);
