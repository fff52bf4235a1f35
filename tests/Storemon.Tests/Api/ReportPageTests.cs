using System.Net;
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

        Assert.Contains("120 of 120 stores.", first, StringComparison.Ordinal);
        Assert.Contains("Page 1 of 3", first, StringComparison.Ordinal);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => FormattableString.Invariant($"store-{i:D3}")), StoresOf(first));
        Assert.Equal(Enumerable.Range(100, 20).Select(i => FormattableString.Invariant($"store-{i:D3}")), StoresOf(last));
        Assert.Contains("10 of 120 stores match.", worst, StringComparison.Ordinal);
        Assert.Equal(["store-111", "store-113", "store-115", "store-117", "store-119", "store-110", "store-112", "store-114", "store-116", "store-118"], StoresOf(worst));
        Assert.Contains("aria-sort=\"descending\"", worst, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task An_unknown_report_is_a_404_page()
    {
        using var browser = Service.Browser();

        using var response = await browser.GetAsync("/ui/reports/nope");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("There is no report with id <code>nope</code>", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static string[] StoresOf(string html) =>
        [.. System.Text.RegularExpressions.Regex.Matches(html, "<tr data-store=\"([^\"]+)\"").Select(m => WebUtility.HtmlDecode(m.Groups[1].Value))];
}

public sealed class ReportPageTests_Sqlite() : ReportPageTests(DatabaseKind.Sqlite);

public sealed class ReportPageTests_Postgres() : ReportPageTests(DatabaseKind.Postgres);
