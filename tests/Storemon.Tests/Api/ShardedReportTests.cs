using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;
using NodaTime;
using Storemon.Engine;
using Storemon.Reports;
using Storemon.Tests.Databases;

namespace Storemon.Tests.Api;

/// <summary>
/// Reports split into store shards (<c>Reports:Shards</c>) that the service's workers compute from one
/// exported snapshot and join: PostgreSQL only, and the same CSV as a report computed whole.
/// </summary>
public sealed class ShardedReportTests(ShardedReportData data) : IClassFixture<ShardedReportData>
{
    private static ServiceFactory Service(int shards) => new(DatabaseKind.Postgres, Settings(shards));

    // A service over a database that the test disposes after it.
    private static ServiceFactory Service(TestDatabase database, int shards) => new(database, Settings(shards));

    private static (string Key, string Value)[] Settings(int shards) =>
        [("Reports:Shards", shards.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("Reports:Workers", "2")];

    [SkippableTheory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    public async Task A_report_in_shards_is_byte_for_byte_the_engines_report_in_both_interpolation_modes(int shards)
    {
        using var database = data.Copy();
        using var service = Service(database, shards);
        using var client = service.CreateClient();

        foreach (var (interpolation, name) in new[] { (Interpolation.Nearest, "nearest"), (Interpolation.CarryForward, "carry-forward") })
        {
            var id = await client.TriggerReport(new { interpolation = name });
            var csv = ServiceCalls.CsvOf(await client.WaitUntilFinished(id));
            var report = await client.GetFromJsonAsync<JsonElement>($"/reports/{id}");

            Assert.Equal(data.EngineReport(interpolation), csv);
            // One of the stores was silent all week, and is left out.
            Assert.Equal(3000, csv.Count(c => c == '\n'));
            Assert.Equal(2999, report.GetProperty("row_count").GetInt32());
            Assert.Equal(1, report.GetProperty("attempts").GetInt32());
            // The report's own worker asked for a helper per further shard, through the shared queue...
            Assert.Equal(shards - 1, service.Database.Scalar(
                $"SELECT count(*) FROM hangfire.job WHERE invocationdata::text LIKE '%HelpWithShards%' AND arguments::text LIKE '%{id}%'"));
            // ...and once the shards' CSVs were joined into the report's, they were deleted.
            Assert.Equal(0, service.Database.Count("report_shard"));
        }
    }

    // With a staleness limit every shard adds the unknown columns, with the limit the report was asked
    // for; the provenance adds up the shards' poll rows.
    [SkippableFact]
    public async Task A_report_with_max_gap_in_shards_is_byte_for_byte_the_engines_and_its_provenance_adds_up_the_shards()
    {
        using var database = data.Copy();
        using var service = Service(database, 3);
        using var client = service.CreateClient();

        var finished = await client.WaitUntilFinished(await client.TriggerReport(new { interpolation = "carry-forward", max_gap = "PT3H" }));
        var csv = ServiceCalls.CsvOf(finished);

        var request = new ReportRequest(Interpolation: Interpolation.CarryForward, MaxGap: Duration.FromHours(3));
        Assert.Equal(service.EngineReport(request), csv);
        Assert.StartsWith(ReportCsv.HeaderWithUnknown + "\n", csv, StringComparison.Ordinal);
        // The store silent all week in this data set has no poll at all: it is in no report.
        Assert.Equal(3000, csv.Count(c => c == '\n'));
        var provenance = finished.GetProperty("provenance");
        Assert.Equal(2999, provenance.GetProperty("stores").GetInt32());
        Assert.Equal("PT3H", provenance.GetProperty("max_gap").GetString());
        using (var store = service.Database.Open())
        {
            using var whole = new StringWriter();
            Assert.Equal(ReportRunner.Run(store, request, whole).PollRows, provenance.GetProperty("polls").GetInt64());
        }
    }

    [SkippableFact]
    public async Task A_shard_that_throws_fails_the_whole_report_with_the_reason_naming_the_shard()
    {
        using var service = Service(3);
        using var client = service.CreateClient();
        // Three stores, three shards of one store each in id order: the unknown zone is in the last.
        await client.PostPolls(("aa-earth", "active", "2024-10-14 15:00:00 UTC"), ("mm-earth", "active", "2024-10-14 15:00:00 UTC"),
            ("zz-mars", "active", "2024-10-14 15:00:00 UTC"));
        service.Database.Execute("UPDATE store SET time_zone = 'Mars/Olympus_Mons' WHERE external_id = 'zz-mars'");

        var error = await client.FailedReport();

        Assert.Equal("Store zz-mars has time zone 'Mars/Olympus_Mons', which the tz database of this build does not know. (shard 3 of 3)", error);
        Assert.Equal(0, service.Database.Count("report_csv"));
    }

    [Fact]
    public void Shards_on_SQLite_refuse_to_start_the_service()
    {
        using var service = new ServiceFactory(DatabaseKind.Sqlite, ("Reports:Shards", "2"));

        var refused = Assert.Throws<OptionsValidationException>(() => service.CreateClient());

        Assert.Contains("Reports:Shards above 1 needs a PostgreSQL database (the shards share one exported snapshot).", refused.Failures);
    }
}
