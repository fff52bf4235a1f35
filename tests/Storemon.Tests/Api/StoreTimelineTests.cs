using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Storemon.Tests.Databases;

namespace Storemon.Tests.Api;

/// <summary>GET /reports/{id}/stores/{store_id}/timeline: how a complete report arrived at one store's row.</summary>
public abstract class StoreTimelineTests(DatabaseKind kind) : ServiceTest(kind)
{
    // The SPEC's worked example (13:00–16:00 UTC on Monday 14 October 2024, polls at 10:14 and 11:15 local);
    // the report runs at 12:00 local.
    private Task ImportWorkedExample() => Client.ImportWorkedExample();

    private Task<string> CompleteReport(object body) => CompleteReport(Client, body);

    private static async Task<string> CompleteReport(HttpClient client, object body)
    {
        var id = await client.TriggerReport(body);
        ServiceCalls.CsvOf(await client.WaitUntilFinished(id));
        return id;
    }

    private Task<JsonElement> Timeline(string id, string storeId) => Timeline(Client, id, storeId);

    private static async Task<JsonElement> Timeline(HttpClient client, string id, string storeId)
    {
        using var response = await client.GetAsync($"/reports/{id}/stores/{Uri.EscapeDataString(storeId)}/timeline");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    // Each element of an array as its fields' values joined by spaces, for comparing whole lists at a glance.
    private static string[] Lines(JsonElement array, params string[] fields) =>
        [.. array.EnumerateArray().Select(item => string.Join(' ', fields.Select(field => item.GetProperty(field).ToString())))];

    private static string Row(JsonElement row) =>
        string.Join(',', row.EnumerateObject().Select(value => $"{value.Name}={value.Value.GetRawText()}"));

    private const string WorkedRow =
        "uptime_last_hour=0.00,uptime_last_day=1.74,uptime_last_week=1.74,downtime_last_hour=60.00,downtime_last_day=1.26,downtime_last_week=1.26";

    [SkippableFact]
    public async Task The_worked_example_is_up_from_nine_to_the_midpoint_and_down_to_noon_with_its_row_hours_and_polls()
    {
        await ImportWorkedExample();
        var id = await CompleteReport(new { as_of = "2024-10-14T16:00:00Z" });

        var timeline = await Timeline(id, "worked");

        Assert.Equal(id, timeline.GetProperty("report_id").GetString());
        Assert.Equal("worked", timeline.GetProperty("store_id").GetString());
        Assert.Equal("2024-10-14T16:00:00Z", timeline.GetProperty("as_of").GetString());
        Assert.Equal("2024-10-07T16:00:00Z", timeline.GetProperty("week_start").GetString());
        Assert.Equal("nearest", timeline.GetProperty("interpolation").GetString());
        Assert.Equal(JsonValueKind.Null, timeline.GetProperty("max_gap").ValueKind);
        Assert.Equal("America/New_York", timeline.GetProperty("time_zone").GetString());
        Assert.Equal(WorkedRow, Row(timeline.GetProperty("row")));
        Assert.Equal(WorkedRow, Row(timeline.GetProperty("recomputed")));
        Assert.True(timeline.GetProperty("matches_report").GetBoolean());
        // Monday the 7th's hours (13:00–16:00 UTC) end as the week starts: only the 14th's are in it.
        Assert.Equal(["2024-10-14T13:00:00Z 2024-10-14T16:00:00Z 2024-10-14T09:00:00 2024-10-14T12:00:00"],
            Lines(timeline.GetProperty("business_hours"), "start", "end", "local_start", "local_end"));
        Assert.Equal(["2024-10-14T14:14:00Z active", "2024-10-14T15:15:00Z inactive"], Lines(timeline.GetProperty("polls"), "at", "status"));
        Assert.Equal(["2024-10-14T13:00:00Z 2024-10-14T14:44:30Z active", "2024-10-14T14:44:30Z 2024-10-14T16:00:00Z inactive"],
            Lines(timeline.GetProperty("segments"), "start", "end", "status"));
        // The week touches eight local days, the 7th (from 12:00 local) to the 14th (to 12:00 local), each from its local midnight.
        var days = Lines(timeline.GetProperty("local_days"), "date", "start", "end");
        Assert.Equal(8, days.Length);
        Assert.Equal("2024-10-07 2024-10-07T04:00:00Z 2024-10-08T04:00:00Z", days[0]);
        Assert.Equal("2024-10-14 2024-10-14T04:00:00Z 2024-10-15T04:00:00Z", days[^1]);
    }

    // The SPEC's example of unknown time, G = 30 min: 09:44–10:44 up, 10:45–11:45 down, the rest unknown.
    [SkippableFact]
    public async Task With_max_gap_the_unknown_pieces_are_segments_and_the_row_has_the_unknown_columns()
    {
        await ImportWorkedExample();
        var id = await CompleteReport(new { as_of = "2024-10-14T16:00:00Z", max_gap = "PT30M" });

        var timeline = await Timeline(id, "worked");

        Assert.Equal("PT30M", timeline.GetProperty("max_gap").GetString());
        Assert.Equal(
            "uptime_last_hour=0.00,uptime_last_day=1.00,uptime_last_week=1.00,downtime_last_hour=45.00,downtime_last_day=1.00,downtime_last_week=1.00," +
            "unknown_last_hour=15.00,unknown_last_day=1.00,unknown_last_week=1.00",
            Row(timeline.GetProperty("row")));
        Assert.True(timeline.GetProperty("matches_report").GetBoolean());
        Assert.Equal(
            [
                "2024-10-14T13:00:00Z 2024-10-14T13:44:00Z unknown",
                "2024-10-14T13:44:00Z 2024-10-14T14:44:00Z active",
                "2024-10-14T14:44:00Z 2024-10-14T14:45:00Z unknown",
                "2024-10-14T14:45:00Z 2024-10-14T15:45:00Z inactive",
                "2024-10-14T15:45:00Z 2024-10-14T16:00:00Z unknown",
            ],
            Lines(timeline.GetProperty("segments"), "start", "end", "status"));
    }

    // A poll after T changes nothing; one at or before T written after the report ran (11:45 local, up)
    // changes the recomputed row, and the answer says so, with the report's row beside it.
    [SkippableFact]
    public async Task A_poll_before_T_written_after_the_report_makes_the_recomputed_row_differ_and_says_so()
    {
        await ImportWorkedExample();
        var id = await CompleteReport(new { as_of = "2024-10-14T16:00:00Z" });

        await Client.PostPolls(("worked", "active", "2024-10-14 16:30:00 UTC"));
        Assert.True((await Timeline(id, "worked")).GetProperty("matches_report").GetBoolean());

        await Client.PostPolls(("worked", "active", "2024-10-14 15:45:00 UTC"));
        var timeline = await Timeline(id, "worked");

        Assert.False(timeline.GetProperty("matches_report").GetBoolean());
        Assert.Equal(WorkedRow, Row(timeline.GetProperty("row")));
        // Up 09:00–10:44:30 and 11:30–12:00 (134.5 min), down 10:44:30–11:30 (45.5 min).
        Assert.Equal(
            "uptime_last_hour=30.00,uptime_last_day=2.24,uptime_last_week=2.24,downtime_last_hour=30.00,downtime_last_day=0.76,downtime_last_week=0.76",
            Row(timeline.GetProperty("recomputed")));
        Assert.Equal(
            [
                "2024-10-14T13:00:00Z 2024-10-14T14:44:30Z active",
                "2024-10-14T14:44:30Z 2024-10-14T15:30:00Z inactive",
                "2024-10-14T15:30:00Z 2024-10-14T16:00:00Z active",
            ],
            Lines(timeline.GetProperty("segments"), "start", "end", "status"));
    }

    // Ids the CSV writes after an apostrophe or in quotes, and one that looks like the header's first cell, are found all the same (open 24×7: 12:00–16:00 UTC of the week up).
    [SkippableTheory]
    [InlineData("-42")]
    [InlineData("=HYPERLINK(\"x\")")]
    [InlineData("a,b")]
    [InlineData("store_id")]
    public async Task A_store_whose_id_the_csv_writes_differently_is_found_by_its_own_id(string storeId)
    {
        await Client.PostPolls((storeId, "active", "2024-10-14 12:00:00 UTC"));
        var id = await CompleteReport(new { as_of = "2024-10-14T16:00:00Z" });

        var timeline = await Timeline(id, storeId);

        Assert.Equal(storeId, timeline.GetProperty("store_id").GetString());
        Assert.Equal("America/Chicago", timeline.GetProperty("time_zone").GetString());
        Assert.Equal(
            "uptime_last_hour=60.00,uptime_last_day=24.00,uptime_last_week=168.00,downtime_last_hour=0.00,downtime_last_day=0.00,downtime_last_week=0.00",
            Row(timeline.GetProperty("row")));
        Assert.True(timeline.GetProperty("matches_report").GetBoolean());
        Assert.Equal(["2024-10-07T16:00:00Z 2024-10-14T16:00:00Z active"], Lines(timeline.GetProperty("segments"), "start", "end", "status"));
    }

    // The server keeps %2F in a path as it came (the in-memory test server decodes it, so this runs on Kestrel):
    // an id holding a slash, sent as %2F, and one holding "%2F" itself, sent as %252F, are each found.
    [SkippableFact]
    public async Task Ids_holding_a_slash_or_an_escaped_slash_are_each_found()
    {
        using var service = ServiceFactory.OnKestrel(Kind);
        using var client = service.CreateClient();
        await client.PostPolls(("a/b", "active", "2024-10-14 12:00:00 UTC"), ("a%2Fb", "inactive", "2024-10-14 12:00:00 UTC"));
        var id = await CompleteReport(client, new { as_of = "2024-10-14T16:00:00Z" });

        var slash = await Timeline(client, id, "a/b");
        var escaped = await Timeline(client, id, "a%2Fb");

        Assert.Equal("a/b", slash.GetProperty("store_id").GetString());
        Assert.Equal(168.00m, slash.GetProperty("row").GetProperty("uptime_last_week").GetDecimal());
        Assert.Equal("a%2Fb", escaped.GetProperty("store_id").GetString());
        Assert.Equal(168.00m, escaped.GetProperty("row").GetProperty("downtime_last_week").GetDecimal());
    }

    [SkippableFact]
    public async Task An_unknown_report_a_store_without_a_row_and_a_report_still_running_are_problems()
    {
        // Over no polls at all a report is its header alone: no store has a row.
        var empty = await CompleteReport(new { });
        using var inEmpty = await Client.GetAsync($"/reports/{empty}/stores/worked/timeline");
        Assert.Equal($"Report {empty} has no row for store 'worked'.", await inEmpty.AssertProblem(HttpStatusCode.NotFound, "Unknown store"));
        await ImportWorkedExample();
        // Polled only before the week: in the database, not in a report without max_gap.
        await Client.PostPolls(("silent", "active", "2024-10-01 10:00:00 UTC"));
        var id = await CompleteReport(new { as_of = "2024-10-14T16:00:00Z" });
        var running = Service.RecordUnfinishedReport(running: true);

        using var unknownReport = await Client.GetAsync("/reports/0123/stores/worked/timeline");
        using var unknownStore = await Client.GetAsync($"/reports/{id}/stores/nowhere/timeline");
        using var silent = await Client.GetAsync($"/reports/{id}/stores/silent/timeline");
        using var unfinished = await Client.GetAsync($"/reports/{running}/stores/worked/timeline");

        Assert.Equal("There is no report with id '0123' (it may have been pruned after its retention).",
            await unknownReport.AssertProblem(HttpStatusCode.NotFound, "Unknown report"));
        Assert.Equal($"Report {id} has no row for store 'nowhere'.", await unknownStore.AssertProblem(HttpStatusCode.NotFound, "Unknown store"));
        Assert.Equal($"Report {id} has no row for store 'silent'.", await silent.AssertProblem(HttpStatusCode.NotFound, "Unknown store"));
        Assert.Equal("The report is still running; try again shortly.", await unfinished.AssertProblem(HttpStatusCode.Conflict, "The report is not complete"));
    }
}

public sealed class StoreTimelineTests_Sqlite() : StoreTimelineTests(DatabaseKind.Sqlite);

public sealed class StoreTimelineTests_Postgres() : StoreTimelineTests(DatabaseKind.Postgres);
