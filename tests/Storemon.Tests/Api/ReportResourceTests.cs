using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Storemon.Tests.Databases;

namespace Storemon.Tests.Api;

/// <summary>Reports as resources for programs: POST /reports, GET /reports/{id}, its CSV, and the newest-first list.</summary>
public abstract class ReportResourceTests(DatabaseKind kind) : ServiceTest(kind)
{
    private async Task<string> CreateReport(object body)
    {
        using var response = await Client.PostAsJsonAsync("/reports", body);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private async Task<JsonElement> Page(string path) => await Client.GetFromJsonAsync<JsonElement>(path);

    private static IEnumerable<string> Ids(JsonElement page) => page.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("id").GetString()!);

    [SkippableFact]
    public async Task Post_reports_answers_202_with_the_location_of_a_pending_report_that_then_completes_with_its_csv()
    {
        await Client.PostPolls(("s1", "active", "2024-10-14 10:00:00 UTC"), ("s1", "inactive", "2024-10-14 11:00:00 UTC"));

        using var created = await Client.PostAsJsonAsync("/reports", new { as_of = "2024-10-14T12:00:00Z", interpolation = "carry-forward" });
        var pending = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = pending.GetProperty("id").GetString()!;
        await Client.WaitUntilFinished(id);
        var complete = await Client.GetFromJsonAsync<JsonElement>(created.Headers.Location);
        using var csv = await Client.GetAsync($"/reports/{id}/csv");

        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
        Assert.Equal($"/reports/{id}", created.Headers.Location?.OriginalString);
        Assert.Equal("Pending", pending.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, pending.GetProperty("csv_url").ValueKind);
        Assert.Equal("Complete", complete.GetProperty("status").GetString());
        Assert.Equal("carry-forward", complete.GetProperty("interpolation").GetString());
        Assert.Equal("2024-10-14T12:00:00Z", complete.GetProperty("requested_as_of").GetString());
        Assert.Equal("2024-10-14T12:00:00Z", complete.GetProperty("as_of").GetString());
        Assert.Equal(1, complete.GetProperty("row_count").GetInt32());
        Assert.Equal(1, complete.GetProperty("attempts").GetInt32());
        Assert.Equal($"/reports/{id}/csv", complete.GetProperty("csv_url").GetString());
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Complete", csv.Headers.GetValues("Report-Status").Single());
        // Carry-forward at 12:00 UTC, 24 x 7 in Chicago: up 10:00–11:00, down 11:00–12:00, and before 10:00 the first poll (up) holds.
        Assert.EndsWith("\ns1,0.00,23.00,167.00,60.00,1.00,1.00\n", await csv.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task The_csv_of_a_report_still_running_is_a_409_problem()
    {
        var id = Service.RecordUnfinishedReport(running: true);

        using var response = await Client.GetAsync($"/reports/{id}/csv");

        var detail = await response.AssertProblem(HttpStatusCode.Conflict, "The report is not complete");
        Assert.Equal("The report is still running; try again shortly.", detail);
    }

    [SkippableFact]
    public async Task An_unknown_report_and_its_csv_are_404_problems()
    {
        using var report = await Client.GetAsync("/reports/0123");
        using var csv = await Client.GetAsync("/reports/0123/csv");

        Assert.Equal("There is no report with id '0123' (it may have been pruned after its retention).",
            await report.AssertProblem(HttpStatusCode.NotFound, "Unknown report"));
        await csv.AssertProblem(HttpStatusCode.NotFound, "Unknown report");
    }

    [SkippableFact]
    public async Task A_report_resource_with_a_bad_as_of_is_a_400_problem()
    {
        using var response = await Client.PostAsJsonAsync("/reports", new { as_of = "2024-13-01T00:00:00Z" });

        await response.AssertProblem(HttpStatusCode.BadRequest, "Bad as_of");
    }

    [SkippableFact]
    public async Task Reports_are_listed_newest_first_a_page_at_a_time_with_a_link_to_the_next()
    {
        var first = await CreateReport(new { as_of = "2024-10-14T10:00:00Z" });
        var second = await CreateReport(new { as_of = "2024-10-14T11:00:00Z" });
        var third = await CreateReport(new { as_of = "2024-10-14T12:00:00Z" });

        var page1 = await Page("/reports?page_size=2");
        var page2 = await Page(page1.GetProperty("next").GetString()!);
        var all = await Page("/reports");

        Assert.Equal([third, second], Ids(page1));
        Assert.Equal(1, page1.GetProperty("page").GetInt32());
        Assert.Equal(2, page1.GetProperty("page_size").GetInt32());
        Assert.Equal("/reports?page=2&page_size=2", page1.GetProperty("next").GetString());
        Assert.Equal([first], Ids(page2));
        Assert.Equal(JsonValueKind.Null, page2.GetProperty("next").ValueKind);
        Assert.Equal([third, second, first], Ids(all));
        Assert.Equal(20, all.GetProperty("page_size").GetInt32());
    }

    [SkippableTheory]
    [InlineData("/reports?page=0")]
    [InlineData("/reports?page=-1")]
    [InlineData("/reports?page=-2147483648")]
    [InlineData("/reports?page=100001")]
    [InlineData("/reports?page=2147483647")]
    [InlineData("/reports?page=2147483647&page_size=200")]
    [InlineData("/reports?page_size=201")]
    [InlineData("/reports?page_size=0")]
    [InlineData("/reports?page_size=-2147483648")]
    [InlineData("/reports?page_size=2147483647")]
    public async Task A_page_outside_the_range_is_a_400_problem(string path)
    {
        await CreateReport(new { });

        using var response = await Client.GetAsync(path);

        Assert.Equal("page is 1 to 100000, and page_size is 1 to 200.", await response.AssertProblem(HttpStatusCode.BadRequest, "Bad page"));
    }

    [SkippableTheory]
    [InlineData("/reports?page=2147483648")]
    [InlineData("/reports?page=99999999999999999999")]
    [InlineData("/reports?page_size=abc")]
    public async Task A_page_that_is_not_a_32_bit_number_is_a_400_problem(string path)
    {
        using var response = await Client.GetAsync(path);

        await response.AssertProblem(HttpStatusCode.BadRequest, "Bad Request");
    }

    [SkippableFact]
    public async Task The_last_allowed_page_past_every_report_is_empty_with_no_next_link()
    {
        await CreateReport(new { });

        var last = await Page("/reports?page=100000&page_size=200");

        Assert.Empty(Ids(last));
        Assert.Equal(100000, last.GetProperty("page").GetInt32());
        Assert.Equal(JsonValueKind.Null, last.GetProperty("next").ValueKind);
    }
}

public sealed class ReportResourceTests_Sqlite() : ReportResourceTests(DatabaseKind.Sqlite);

public sealed class ReportResourceTests_Postgres() : ReportResourceTests(DatabaseKind.Postgres);
