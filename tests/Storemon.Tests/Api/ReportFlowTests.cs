using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NodaTime;
using Storemon.Reports;
using Storemon.Storage.Sqlite;

namespace Storemon.Tests.Api;

public sealed class ReportFlowTests : IDisposable
{
    private readonly ServiceFactory _service = new();

    public void Dispose() => _service.Dispose();

    private static async Task<JsonElement> WaitUntilFinished(HttpClient client, string id)
    {
        for (var attempt = 0; attempt < 600; attempt++)
        {
            var body = await client.GetFromJsonAsync<JsonElement>($"/get_report?report_id={id}");
            if (body.GetProperty("status").GetString() != "Running")
            {
                return body;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"Report {id} did not finish in 30 s.");
    }

    [Fact]
    public async Task Trigger_then_get_report_returns_the_csv_the_engine_computes_for_the_same_data()
    {
        var client = _service.CreateClient();
        using (var hours = new StringContent(File.ReadAllText(SharedData.PathOf("v2_menu_hours.csv")), System.Text.Encoding.UTF8, "text/csv"))
        {
            Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/imports/hours", hours)).StatusCode);
        }
        var polls = new[]
        {
            new { store_id = "d84a4552-3668-4075-ad1d-16840294f818", status = "active", timestamp_utc = "2024-10-14 10:00:00 UTC" },
            new { store_id = "d84a4552-3668-4075-ad1d-16840294f818", status = "inactive", timestamp_utc = "2024-10-14 12:00:00 UTC" },
            new { store_id = "no-hours-store", status = "inactive", timestamp_utc = "2024-10-14 11:00:00 UTC" },
        };
        var ingested = await client.PostAsJsonAsync("/polls", polls);
        Assert.Equal(HttpStatusCode.OK, ingested.StatusCode);

        var trigger = await client.PostAsync("/trigger_report", null);
        var id = (await trigger.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("report_id").GetString()!;
        var finished = await WaitUntilFinished(client, id);

        Assert.Equal(32, id.Length);
        Assert.Equal("Complete", finished.GetProperty("status").GetString());
        using var expected = new StringWriter();
        ReportRunner.Run(new SqliteMonitoringStore(_service.DatabasePath), new ReportRequest(), expected);
        Assert.Equal(expected.ToString(), finished.GetProperty("csv").GetString());
        Assert.Equal($"/reports/{id}/csv", finished.GetProperty("download_url").GetString());
        // T = 12:00 UTC; the store without hours was down its whole day (24 x 7 from its only poll).
        Assert.Contains("no-hours-store,0.00,0.00,0.00,60.00,24.00,168.00", expected.ToString(), StringComparison.Ordinal);

        var csv = await client.GetAsync($"/get_report?report_id={id}&format=csv");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Complete", csv.Headers.GetValues("Report-Status").Single());
        Assert.Equal($"report-{id}.csv", csv.Content.Headers.ContentDisposition?.FileNameStar);
        Assert.Equal(expected.ToString(), await csv.Content.ReadAsStringAsync());
    }
}
