using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Storemon.Reports;
using Storemon.Tests.Databases;

namespace Storemon.Tests.Api;

public abstract class ReportFlowTests(DatabaseKind kind) : ServiceTest(kind)
{
    [SkippableFact]
    public async Task Trigger_then_get_report_returns_the_csv_the_engine_computes_for_the_same_data()
    {
        Assert.Equal(HttpStatusCode.OK, (await Client.PostCsv("/imports/hours", File.ReadAllText(SharedData.PathOf("v2_menu_hours.csv")))).StatusCode);
        var ingested = await Client.PostPolls(
            ("d84a4552-3668-4075-ad1d-16840294f818", "active", "2024-10-14 10:00:00 UTC"),
            ("d84a4552-3668-4075-ad1d-16840294f818", "inactive", "2024-10-14 12:00:00 UTC"),
            ("no-hours-store", "inactive", "2024-10-14 11:00:00 UTC"));
        Assert.Equal(HttpStatusCode.OK, ingested.StatusCode);

        var trigger = await Client.PostAsync("/trigger_report", null);
        var id = (await trigger.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("report_id").GetString()!;
        var finished = await Client.WaitUntilFinished(id);

        Assert.Equal(32, id.Length);
        Assert.Equal("Complete", finished.GetProperty("status").GetString());
        var expected = Service.EngineReport(new ReportRequest());
        Assert.Equal(expected, finished.GetProperty("csv").GetString());
        Assert.Equal($"/reports/{id}/csv", finished.GetProperty("download_url").GetString());
        // T = 12:00 UTC; the store without hours was down its whole day (24 x 7 from its only poll).
        Assert.Contains("no-hours-store,0.00,0.00,0.00,60.00,24.00,168.00", expected, StringComparison.Ordinal);

        var csv = await Client.GetAsync($"/get_report?report_id={id}&format=csv");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Complete", csv.Headers.GetValues("Report-Status").Single());
        Assert.Equal($"report-{id}.csv", csv.Content.Headers.ContentDisposition?.FileNameStar);
        Assert.Equal(expected, await csv.Content.ReadAsStringAsync());
    }
}

public sealed class ReportFlowTests_Sqlite() : ReportFlowTests(DatabaseKind.Sqlite);

public sealed class ReportFlowTests_Postgres() : ReportFlowTests(DatabaseKind.Postgres);
