using System.Text;
using NodaTime;
using Storemon.Engine;
using Storemon.Storage;

namespace Storemon.Tests.Postgres;

/// <summary>The report records and their CSV in PostgreSQL: the life of a report, one statement per change of state.</summary>
public sealed class PostgresReportRecordTests : IDisposable
{
    private static readonly Instant Noon = Instant.FromUtc(2024, 5, 6, 12, 0, 0).PlusNanoseconds(123_456_000);

    private readonly PostgresTestDatabase _database = new();

    public void Dispose() => _database.Dispose();

    [PostgresFact]
    public void A_report_goes_from_pending_to_complete_with_its_csv_streamed_back()
    {
        var reports = _database.Store;
        reports.CreateReport(new ReportRecord("r1", ReportStatus.Pending, null, Interpolation.CarryForward, Noon));
        reports.CreateReport(new ReportRecord("r2", ReportStatus.Pending, Noon - Duration.FromDays(1), Interpolation.Nearest, Noon + Duration.FromSeconds(1)));

        Assert.Equal(["r2", "r1"], reports.ListReports(0, 10).Select(report => report.Id));
        Assert.Equal(Noon - Duration.FromDays(1), reports.FindReport("r2")!.RequestedAsOf);
        Assert.Null(reports.FindReport("missing"));

        // One claim wins; a second one fails while the first beats.
        Assert.True(reports.TryStartReport("r1", Noon + Duration.FromSeconds(5), Noon - Duration.FromMinutes(2)));
        Assert.False(reports.TryStartReport("r1", Noon + Duration.FromSeconds(6), Noon - Duration.FromMinutes(2)));
        reports.ReportProgress("r1", 1024, 13_572, Noon + Duration.FromSeconds(7));
        var running = reports.FindReport("r1")!;
        Assert.Equal((ReportStatus.Running, 1, 1024, 13_572, Noon + Duration.FromSeconds(7)), (running.Status, running.Attempts, running.StoresDone, running.StoresTotal, running.HeartbeatAt));
        Assert.Null(reports.OpenReportCsv("r1"));

        var csv = Encoding.UTF8.GetBytes("store_id,uptime_last_hour\nä,1.00\n" + new string('x', 200_000));
        reports.CompleteReport("r1", Noon, 2, csv, Noon + Duration.FromSeconds(9));
        var complete = reports.FindReport("r1")!;
        Assert.Equal((ReportStatus.Complete, (int?)2, Noon, Noon + Duration.FromSeconds(9), (string?)null), (complete.Status, complete.RowCount, complete.AsOf, complete.FinishedAt, complete.Error));
        using (var stream = reports.OpenReportCsv("r1")!)
        using (var copy = new MemoryStream())
        {
            stream.CopyTo(copy);
            Assert.Equal(csv, copy.ToArray());
        }

        reports.FailReport("r2", "InvalidDataException: broken", Noon + Duration.FromSeconds(10));
        Assert.Equal("InvalidDataException: broken", reports.FindReport("r2")!.Error);
        Assert.Equal(2, reports.PruneReports(Noon + Duration.FromMinutes(1)));
        Assert.Equal(0, _database.Count("SELECT count(*) FROM report_csv"));
    }

    [PostgresFact]
    public void Running_reports_are_released_and_stale_ones_found()
    {
        var reports = _database.Store;
        reports.CreateReport(new ReportRecord("pending", ReportStatus.Pending, null, Interpolation.Nearest, Noon));
        reports.CreateReport(new ReportRecord("running", ReportStatus.Pending, null, Interpolation.Nearest, Noon + Duration.FromSeconds(1)));
        Assert.True(reports.TryStartReport("running", Noon + Duration.FromMinutes(1), Noon));

        Assert.Equal(["pending"], reports.StaleReports(Noon + Duration.FromSeconds(30)));
        Assert.Equal(["pending", "running"], reports.StaleReports(Noon + Duration.FromMinutes(2)));
        // Its runner stopped beating: another claim takes it over.
        Assert.True(reports.TryStartReport("running", Noon + Duration.FromMinutes(5), Noon + Duration.FromMinutes(2)));
        Assert.Equal(2, reports.FindReport("running")!.Attempts);
        Assert.Equal(1, reports.ReleaseRunningReports());
        Assert.Equal(ReportStatus.Pending, reports.FindReport("running")!.Status);
    }
}
