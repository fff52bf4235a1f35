using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Storemon.Reports;
using Storemon.Tests.Databases;

namespace Storemon.Tests.Api;

/// <summary>The task's two endpoints: trigger_report with its optional body, and both answers of get_report.</summary>
public abstract class GetReportTests(DatabaseKind kind) : ServiceTest(kind)
{
    // The SPEC's worked example (ServiceCalls.ImportWorkedExample): open Monday 09:00–12:00 in New York
    // (UTC−4 in October), polled on Monday 14 October 2024 at 10:14 local (active) and 11:15 local (inactive).
    private Task ImportWorkedExample() => Client.ImportWorkedExample();

    private static string Csv(string row) => $"{ReportCsv.Header}\n{row}\n";

    [SkippableFact]
    public async Task As_of_in_the_body_sets_the_report_time_of_the_worked_example_with_nearest_interpolation()
    {
        await ImportWorkedExample();

        // T = 12:00 local: up 09:00–10:44:30 (104.5 min), down 10:44:30–12:00 (75.5 min), all of the last hour down.
        var csv = await Client.CompleteReport(new { as_of = "2024-10-14T16:00:00Z", interpolation = "nearest" });

        Assert.Equal(Csv("worked,0.00,1.74,1.74,60.00,1.26,1.26"), csv);
    }

    [SkippableFact]
    public async Task Carry_forward_in_the_body_credits_the_whole_gap_to_the_earlier_poll()
    {
        await ImportWorkedExample();

        // Up 09:00–11:15 (135 min, of it 15 min in the last hour), down 11:15–12:00 (45 min). The offset form of as_of is the same instant.
        var csv = await Client.CompleteReport(new { as_of = "2024-10-14T12:00:00-04:00", interpolation = "carry-forward" });

        Assert.Equal(Csv("worked,15.00,2.25,2.25,45.00,0.75,0.75"), csv);
    }

    // The SPEC's worked example of unknown time, G = 30 min, T = 12:00 local: 60 min up, 60 down, 60 unknown;
    // of the last hour 11:00–11:45 down and 11:45–12:00 unknown. A store polled only before the week is
    // listed too, with its whole business week unknown (it is open 24×7: 168 hours).
    [SkippableFact]
    public async Task Max_gap_adds_the_unknown_columns_and_lists_the_stores_silent_all_week()
    {
        await ImportWorkedExample();
        await Client.PostPolls(("silent", "active", "2024-10-01 10:00:00 UTC"));

        var csv = await Client.CompleteReport(new { as_of = "2024-10-14T16:00:00Z", max_gap = "PT30M" });

        Assert.Equal(
            $"{ReportCsv.HeaderWithUnknown}\nsilent,0.00,0.00,0.00,0.00,0.00,0.00,60.00,24.00,168.00\nworked,0.00,1.00,1.00,45.00,1.00,1.00,15.00,1.00,1.00\n",
            csv);
    }

    [SkippableFact]
    public async Task Carry_forward_with_max_gap_gives_the_worked_examples_sixty_up_thirty_down_ninety_unknown()
    {
        await ImportWorkedExample();

        var csv = await Client.CompleteReport(new { as_of = "2024-10-14T16:00:00Z", interpolation = "carry-forward", max_gap = "PT30M" });

        Assert.Equal($"{ReportCsv.HeaderWithUnknown}\nworked,0.00,1.00,1.00,30.00,0.50,0.50,30.00,1.50,1.50\n", csv);
    }

    [SkippableTheory]
    [InlineData("PT59S")]
    [InlineData("P7DT1S")]
    [InlineData("P1M")]
    [InlineData("-PT2H")]
    [InlineData("two hours")]
    public async Task A_max_gap_out_of_range_or_unreadable_is_a_400_problem_naming_the_range(string maxGap)
    {
        using var response = await Client.PostAsJsonAsync("/trigger_report", new { max_gap = maxGap });

        var detail = await response.AssertProblem(HttpStatusCode.BadRequest, "Bad max_gap");
        Assert.Equal($"max_gap '{maxGap}' is not an ISO 8601 duration from PT1M (1 minute) to P7D (7 days), such as PT2H.", detail);
        Assert.Equal(0, Db.Count("report"));
    }

    // Provenance: what the report was computed from, in both forms of its status; run again over the
    // same data with the same request, the same bytes and the same provenance.
    [SkippableFact]
    public async Task A_report_says_what_it_was_computed_from_and_the_same_request_gives_the_same_bytes_and_provenance()
    {
        await ImportWorkedExample();
        var body = new { interpolation = "carry-forward", max_gap = "PT2H" };

        var first = await Client.WaitUntilFinished(await Client.TriggerReport(body));
        var secondId = await Client.TriggerReport(body);
        var second = await Client.WaitUntilFinished(secondId);
        var resource = await Client.GetFromJsonAsync<JsonElement>($"/reports/{secondId}");

        Assert.Equal(ServiceCalls.CsvOf(first), ServiceCalls.CsvOf(second));
        Assert.Equal(first.GetProperty("provenance").GetRawText(), second.GetProperty("provenance").GetRawText());
        Assert.Equal(second.GetProperty("provenance").GetRawText(), resource.GetProperty("provenance").GetRawText());
        var provenance = second.GetProperty("provenance");
        Assert.Equal("2024-10-14T15:15:00Z", provenance.GetProperty("as_of").GetString());
        Assert.Equal("latest_poll", provenance.GetProperty("as_of_source").GetString());
        Assert.Equal("carry-forward", provenance.GetProperty("interpolation").GetString());
        Assert.Equal("PT2H", provenance.GetProperty("max_gap").GetString());
        // The tz database's release as IANA names it, such as 2026f.
        Assert.Matches("^[0-9]{4}[a-z]$", provenance.GetProperty("tzdb_version").GetString());
        Assert.Equal(NodaTime.TimeZones.TzdbDateTimeZoneSource.Default.TzdbVersion, provenance.GetProperty("tzdb_version").GetString());
        Assert.Equal(1, provenance.GetProperty("stores").GetInt32());
        Assert.Equal(2, provenance.GetProperty("polls").GetInt64());
        Assert.Equal("2024-10-14T15:15:00Z", provenance.GetProperty("latest_poll").GetString());
        Assert.Equal("PT2H", resource.GetProperty("max_gap").GetString());

        // With an explicit as_of the source says so, and the latest poll is still the database's.
        var asOf = await Client.WaitUntilFinished(await Client.TriggerReport(new { as_of = "2024-10-14T12:00:00Z" }));
        Assert.Equal("as_of", asOf.GetProperty("provenance").GetProperty("as_of_source").GetString());
        Assert.Equal("2024-10-14T12:00:00Z", asOf.GetProperty("provenance").GetProperty("as_of").GetString());
        Assert.Equal("2024-10-14T15:15:00Z", asOf.GetProperty("provenance").GetProperty("latest_poll").GetString());
        Assert.Equal(JsonValueKind.Null, asOf.GetProperty("provenance").GetProperty("max_gap").ValueKind);
        Assert.Equal(0, asOf.GetProperty("provenance").GetProperty("polls").GetInt64());
    }

    [SkippableFact]
    public async Task Without_a_body_the_report_time_is_the_latest_poll()
    {
        await ImportWorkedExample();

        // T = 11:15 local: the last hour 10:15–11:15 splits at 10:44:30 (29.5 min up, 30.5 down); the day ends
        // at 11:15, and the week reaches back to 11:15 of the Monday before, whose last 45 open minutes the
        // first poll decides (up): 104.5 + 45 = 149.5 min.
        var id = await Client.TriggerReport();
        var finished = await Client.WaitUntilFinished(id);

        Assert.Equal(Csv("worked,29.50,1.74,2.49,30.50,0.51,0.51"), ServiceCalls.CsvOf(finished));
        var resource = await Client.GetFromJsonAsync<JsonElement>($"/reports/{id}");
        Assert.Equal("2024-10-14T15:15:00Z", resource.GetProperty("as_of").GetString());
        Assert.Equal(JsonValueKind.Null, resource.GetProperty("requested_as_of").ValueKind);
    }

    [SkippableFact]
    public async Task Report_ids_are_128_random_bits_in_hex()
    {
        var first = await Client.TriggerReport();
        var second = await Client.TriggerReport();

        Assert.Matches("^[0-9a-f]{32}$", first);
        Assert.Matches("^[0-9a-f]{32}$", second);
        Assert.NotEqual(first, second);
    }

    [SkippableFact]
    public async Task A_finished_report_comes_back_as_json_by_default_and_as_the_csv_file_itself_when_asked_with_accept_text_csv()
    {
        await ImportWorkedExample();
        var id = await Client.TriggerReport(new { as_of = "2024-10-14T16:00:00Z" });
        var json = await Client.WaitUntilFinished(id);

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/get_report?report_id={id}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        using var file = await Client.SendAsync(request);

        Assert.Equal(id, json.GetProperty("report_id").GetString());
        Assert.Equal("Complete", json.GetProperty("status").GetString());
        Assert.Equal($"/reports/{id}/csv", json.GetProperty("download_url").GetString());
        Assert.False(json.TryGetProperty("progress", out _));
        Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        Assert.Equal("text/csv", file.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", file.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal($"report-{id}.csv", file.Content.Headers.ContentDisposition?.FileNameStar);
        Assert.Equal("Complete", file.Headers.GetValues("Report-Status").Single());
        Assert.Equal(Csv("worked,0.00,1.74,1.74,60.00,1.26,1.26"), await file.Content.ReadAsStringAsync());
        Assert.Equal(json.GetProperty("csv").GetString(), await file.Content.ReadAsStringAsync());
    }

    [SkippableFact]
    public async Task A_report_being_computed_is_running_with_its_progress_even_when_csv_is_asked_for()
    {
        var id = Service.RecordUnfinishedReport(running: true);

        var body = await Client.GetFromJsonAsync<JsonElement>($"/get_report?report_id={id}&format=csv");

        Assert.Equal(id, body.GetProperty("report_id").GetString());
        Assert.Equal("Running", body.GetProperty("status").GetString());
        Assert.Equal(3, body.GetProperty("progress").GetProperty("stores_done").GetInt32());
        Assert.Equal(7, body.GetProperty("progress").GetProperty("stores_total").GetInt32());
        Assert.False(body.TryGetProperty("csv", out _));
    }

    [SkippableFact]
    public async Task A_report_still_queued_is_running_with_no_stores_done()
    {
        var id = Service.RecordUnfinishedReport(running: false);

        using var response = await Client.GetAsync($"/get_report?report_id={id}");
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal("Running", body.GetProperty("status").GetString());
        Assert.Equal("Running", response.Headers.GetValues("Report-Status").Single());
        Assert.Equal(0, body.GetProperty("progress").GetProperty("stores_done").GetInt32());
    }

    [SkippableFact]
    public async Task A_store_in_a_zone_the_tz_database_does_not_know_fails_the_whole_report_with_the_reason_naming_the_store()
    {
        await ImportWorkedExample();
        await Client.PostPolls(("aa-earth", "active", "2024-10-14 15:00:00 UTC"), ("zz-mars", "active", "2024-10-14 15:00:00 UTC"));
        Db.Execute("UPDATE store SET time_zone = 'Mars/Olympus_Mons' WHERE external_id = 'zz-mars'");

        // The stores before it were computed, but a failed report has no CSV at all.
        var error = await Client.FailedReport();

        Assert.Equal("Store zz-mars has time zone 'Mars/Olympus_Mons', which the tz database of this build does not know.", error);
    }

    // A fault of the service (here its schema broken behind its back) is logged with its details; the
    // caller reads what happened and what to do, never the exception's type, message or SQL.
    [SkippableFact]
    public async Task A_report_that_fails_inside_the_service_tells_the_caller_what_to_do_and_no_internals()
    {
        await ImportWorkedExample();
        Db.Execute("DROP TABLE business_hours");

        var error = await Client.FailedReport();

        Assert.Matches(
            "^The report could not be computed because of an error in the service \\(logged with report [0-9a-f]{32}, attempt 1\\)\\. Trigger it again; if it fails again, the service log says why\\.$",
            error);
        Assert.DoesNotContain("business_hours", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", error, StringComparison.Ordinal);
    }

    [SkippableTheory]
    [InlineData("/get_report")]
    [InlineData("/get_report?report_id=")]
    [InlineData("/get_report?report_id=%20")]
    public async Task Get_report_without_a_report_id_is_a_400_problem(string path)
    {
        using var response = await Client.GetAsync(path);

        var detail = await response.AssertProblem(HttpStatusCode.BadRequest, "report_id is required");
        Assert.Equal("Pass the id that trigger_report returned: /get_report?report_id=<id>.", detail);
    }

    [SkippableFact]
    public async Task Get_report_of_an_unknown_id_is_a_404_problem()
    {
        using var response = await Client.GetAsync("/get_report?report_id=00000000000000000000000000000000");

        var detail = await response.AssertProblem(HttpStatusCode.NotFound, "Unknown report");
        Assert.Equal("There is no report with id '00000000000000000000000000000000' (it may have been pruned after its retention).", detail);
    }

    [SkippableFact]
    public async Task An_as_of_that_is_not_a_timestamp_is_a_400_problem_and_starts_no_report()
    {
        using var response = await Client.PostAsJsonAsync("/trigger_report", new { as_of = "yesterday noon" });

        var detail = await response.AssertProblem(HttpStatusCode.BadRequest, "Bad as_of");
        Assert.Equal("as_of 'yesterday noon' is not a timestamp: use ISO 8601 with Z or an offset, such as 2023-01-25T18:13:22.47922Z.", detail);
        Assert.Equal(0, Db.Count("report"));
    }

    [SkippableFact]
    public async Task An_unknown_interpolation_is_a_400_problem()
    {
        using var response = await Client.PostAsJsonAsync("/trigger_report", new { interpolation = "linear" });

        var detail = await response.AssertProblem(HttpStatusCode.BadRequest, "Bad interpolation");
        Assert.Equal("interpolation 'linear' is neither nearest nor carry-forward.", detail);
    }

    [SkippableFact]
    public async Task A_trigger_body_that_is_not_json_is_a_400_problem()
    {
        using var body = new StringContent("{\"as_of\": ", System.Text.Encoding.UTF8, "application/json");
        using var response = await Client.PostAsync("/trigger_report", body);

        await response.AssertProblem(HttpStatusCode.BadRequest, "Bad Request");
        Assert.Equal(0, Db.Count("report"));
    }
}

public sealed class GetReportTests_Sqlite() : GetReportTests(DatabaseKind.Sqlite);

public sealed class GetReportTests_Postgres() : GetReportTests(DatabaseKind.Postgres);
