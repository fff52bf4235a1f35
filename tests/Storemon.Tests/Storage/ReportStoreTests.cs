using System.Text;
using NodaTime;
using Storemon.Engine;
using Storemon.Reports;
using Storemon.Storage;
using Storemon.Tests.Databases;

namespace Storemon.Tests.Storage;

/// <summary>The report records as every store keeps them: one claim per run, a heartbeat, the CSV kept exactly, retention.</summary>
public abstract class ReportStoreTests(DatabaseKind kind) : DatabaseTest(kind)
{
    // Not on a whole second: every instant must come back to the microsecond.
    private static readonly Instant Start = Instant.FromUtc(2024, 10, 3, 12, 0).PlusNanoseconds(123_456_000);

    private static Instant At(int seconds) => Start + Duration.FromSeconds(seconds);

    private IReportStore Reports => Db.Store;

    private void Create(string id, int createdAt) =>
        Reports.CreateReport(new ReportRecord(id, ReportStatus.Pending, new ReportRequest(), At(createdAt), HeartbeatAt: At(createdAt)));

    [SkippableFact]
    public void A_new_report_reads_back_as_created()
    {
        var report = new ReportRecord("r1", ReportStatus.Pending, new ReportRequest(Instant.FromUtc(2024, 10, 1, 0, 0).PlusNanoseconds(999_999_000), Interpolation.CarryForward, Duration.FromMinutes(90)), At(0));

        Reports.CreateReport(report);

        // The request comes back whole, max_gap included: a re-run after a crash computes what was asked.
        // No heartbeat until it is queued; then it starts at creation, so that a report nobody ever
        // claims still turns stale.
        Assert.Equal(report, Reports.FindReport("r1"));
        Reports.MarkQueued("r1");
        Assert.Equal(report with { HeartbeatAt = At(0) }, Reports.FindReport("r1"));
        Assert.Null(Reports.FindReport("r2"));
    }

    [SkippableFact]
    public void A_report_is_claimed_once_and_again_only_when_its_heartbeat_has_stopped()
    {
        Create("r1", 0);

        Assert.NotNull(Reports.TryStartReport("r1", At(1), staleBefore: At(0)));
        Assert.Null(Reports.TryStartReport("r1", At(2), staleBefore: At(0)));
        Assert.True(Reports.ReportProgress("r1", attempt: 1, 5, 10, At(10)));
        Assert.Null(Reports.OpenReportCsv("r1"));
        // The heartbeat at 10 s is not before 10 s: the run is alive.
        Assert.Null(Reports.TryStartReport("r1", At(20), staleBefore: At(10)));
        var claimed = Reports.TryStartReport("r1", At(30), staleBefore: At(11));

        // The claim hands back the record as claimed: its attempt is the new run's.
        Assert.Equal(
            new ReportRecord("r1", ReportStatus.Running, new ReportRequest(), At(0), StartedAt: At(30), StoresDone: 0, StoresTotal: 10, Attempts: 2, HeartbeatAt: At(30)),
            claimed);
        Assert.Equal(claimed, Reports.FindReport("r1"));
    }

    [SkippableFact]
    public void A_complete_report_keeps_its_csv_byte_for_byte()
    {
        Create("r1", 0);
        Reports.TryStartReport("r1", At(1), At(0));
        // Several megabytes, so that the CSV is read back in many pieces, and text beyond ASCII.
        var csv = Encoding.UTF8.GetBytes(ReportCsvOf(60_000, "Café-"));

        var summary = new ReportSummary(Instant.FromUtc(2024, 10, 3, 11, 0), 60_000, 1_234_567_890_123, LatestPoll: Instant.FromUtc(2024, 10, 3, 12, 0, 0).PlusNanoseconds(123_456_000));
        Assert.True(Reports.CompleteReport("r1", attempt: 1, summary, csv, At(5)));

        // What it was computed from comes back with it: the poll rows (past 32 bits), the latest poll to
        // the microsecond, and this process's tz database.
        Assert.Equal(
            new ReportRecord("r1", ReportStatus.Complete, new ReportRequest(), At(0), StartedAt: At(1), FinishedAt: At(5),
                AsOf: Instant.FromUtc(2024, 10, 3, 11, 0), StoresDone: 60_000, StoresTotal: 60_000, RowCount: 60_000, Attempts: 1, HeartbeatAt: At(5),
                PollRows: 1_234_567_890_123, LatestPoll: summary.LatestPoll, TzdbVersion: ReportProvenance.CurrentTzdbVersion),
            Reports.FindReport("r1"));
        using var stored = Reports.OpenReportCsv("r1");
        Assert.NotNull(stored);
        using var copy = new MemoryStream();
        stored.CopyTo(copy);
        Assert.Equal(csv, copy.ToArray());
        Assert.Null(Reports.OpenReportCsv("r2"));
    }

    [SkippableFact]
    public void A_failed_report_says_why_and_has_no_csv()
    {
        Create("r1", 0);
        Reports.TryStartReport("r1", At(1), At(0));

        Assert.True(Reports.FailReport("r1", attempt: 1, "store s7 has the unknown time zone Mars/Olympus_Mons", At(3)));

        var report = Reports.FindReport("r1");
        Assert.Equal((ReportStatus.Failed, "store s7 has the unknown time zone Mars/Olympus_Mons", At(3)), (report!.Status, report.Error, report.FinishedAt));
        Assert.Null(Reports.OpenReportCsv("r1"));
        Assert.Null(Reports.TryStartReport("r1", At(100), At(100)));
    }

    // A runner taken for dead (its heartbeat went stale, the report was claimed again) may carry on:
    // whatever it reports afterwards is refused and changes nothing, so the new run alone decides.
    [SkippableFact]
    public void Progress_completion_and_failure_of_an_earlier_attempt_change_nothing()
    {
        Create("r1", 0);
        Reports.TryStartReport("r1", At(1), At(0));
        Assert.NotNull(Reports.TryStartReport("r1", At(200), staleBefore: At(100)));
        Assert.True(Reports.ReportProgress("r1", attempt: 2, 4, 10, At(201)));
        var second = Reports.FindReport("r1");

        Assert.False(Reports.ReportProgress("r1", attempt: 1, 9, 10, At(202)));
        Assert.False(Reports.FailReport("r1", attempt: 1, "the old run's connection broke", At(203)));
        Assert.False(Reports.CompleteReport("r1", attempt: 1, new ReportSummary(At(0), 1, 0), "store_id\nold\n"u8, At(204)));

        Assert.Equal(second, Reports.FindReport("r1"));
        Assert.Equal((ReportStatus.Running, 4, 2, At(201)), (second!.Status, second.StoresDone, second.Attempts, second.HeartbeatAt));
        Assert.Null(Reports.OpenReportCsv("r1"));

        Assert.True(Reports.CompleteReport("r1", attempt: 2, new ReportSummary(At(0), 1, 0), "store_id\nnew\n"u8, At(205)));
        // Once complete, not even the run that completed it changes it again.
        Assert.False(Reports.FailReport("r1", attempt: 2, "late", At(206)));
        Assert.False(Reports.ReportProgress("r1", attempt: 2, 1, 1, At(207)));
        Assert.Equal((ReportStatus.Complete, 2, At(205)), (Reports.FindReport("r1")!.Status, Reports.FindReport("r1")!.Attempts, Reports.FindReport("r1")!.FinishedAt));
        using var stored = Reports.OpenReportCsv("r1")!;
        using var text = new StreamReader(stored, Encoding.UTF8);
        Assert.Equal("store_id\nnew\n", text.ReadToEnd());
    }

    [SkippableFact]
    public void Reports_are_listed_newest_first_a_page_at_a_time()
    {
        foreach (var (id, createdAt) in new[] { ("b", 1), ("d", 3), ("a", 2), ("c", 0) })
        {
            Create(id, createdAt);
        }

        Assert.Equal(["d", "a"], Reports.ListReports(0, 2).Select(r => r.Id));
        Assert.Equal(["b", "c"], Reports.ListReports(2, 2).Select(r => r.Id));
        Assert.Empty(Reports.ListReports(4, 2));
    }

    [SkippableFact]
    public void At_start_running_reports_go_back_to_pending_and_unfinished_ones_without_a_heartbeat_are_stale()
    {
        Create("pending-old", 0);
        Create("running", 0);
        Create("done", 0);
        Create("pending-new", 50);
        Reports.TryStartReport("running", At(40), At(0));
        Reports.TryStartReport("done", At(1), At(0));
        Reports.CompleteReport("done", attempt: 1, new ReportSummary(null, 0, 0), "store_id\n"u8, At(2));

        Assert.Equal(["pending-old", "running"], Reports.StaleReports(At(45)).Order(StringComparer.Ordinal));
        Assert.Equal(["pending-old"], Reports.StaleReports(At(40)));

        Assert.Equal(1, Reports.ReleaseRunningReports());
        Assert.Equal(ReportStatus.Pending, Reports.FindReport("running")!.Status);
        Assert.Equal(ReportStatus.Complete, Reports.FindReport("done")!.Status);
    }

    [SkippableFact]
    public void Only_reports_finished_before_the_cut_are_pruned_with_their_csv()
    {
        foreach (var (id, finishedAt) in new[] { ("old", 10), ("edge", 20), ("new", 30) })
        {
            Create(id, 0);
            Reports.TryStartReport(id, At(1), At(0));
            Reports.CompleteReport(id, attempt: 1, new ReportSummary(null, 1, 0), "store_id\ns\n"u8, At(finishedAt));
        }
        Create("failed", 0);
        Reports.TryStartReport("failed", At(1), At(0));
        Reports.FailReport("failed", attempt: 1, "no", At(5));
        Create("pending", 0);

        Assert.Equal(2, Reports.PruneReports(At(20)));

        Assert.Equal(["edge", "new", "pending"], Reports.ListReports(0, 10).Select(r => r.Id).Order(StringComparer.Ordinal));
        Assert.Null(Reports.FindReport("old"));
        Assert.Null(Reports.OpenReportCsv("old"));
        using var kept = Reports.OpenReportCsv("edge");
        Assert.NotNull(kept);
        Assert.Equal(2, Db.Scalar("SELECT count(*) FROM report_csv"));
    }

    [SkippableFact]
    public void A_report_not_yet_queued_is_neither_listed_nor_stale_until_marked_queued_and_pruned_if_it_never_is()
    {
        Create("queued", 0);
        Reports.CreateReport(new ReportRecord("unqueued", ReportStatus.Pending, new ReportRequest(), At(1)));
        Reports.CreateReport(new ReportRecord("later", ReportStatus.Pending, new ReportRequest(), At(2)));

        // Its trigger may yet fail: the recovery at start or later must not run it, no list shows it.
        Assert.Equal(["queued"], Reports.ListReports(0, 10).Select(r => r.Id));
        Assert.Equal(["queued"], Reports.StaleReports(At(100)));
        Assert.Equal(0, Reports.ReleaseRunningReports());
        Assert.Equal(ReportStatus.Pending, Reports.FindReport("unqueued")!.Status);

        Reports.MarkQueued("later");
        Reports.MarkQueued("later");   // once is what counts: the heartbeat is its creation

        Assert.Equal(["later", "queued"], Reports.ListReports(0, 10).Select(r => r.Id));
        Assert.Equal(["queued", "later"], Reports.StaleReports(At(100)));
        Assert.Equal(At(2), Reports.FindReport("later")!.HeartbeatAt);

        // Pruned as a finished report would be, by its creation: never queued, it never finishes.
        Assert.Equal(0, Reports.PruneReports(At(1)));
        Assert.Equal(1, Reports.PruneReports(At(2)));
        Assert.Null(Reports.FindReport("unqueued"));
        Assert.Equal(["later", "queued"], Reports.ListReports(0, 10).Select(r => r.Id));
    }

    [SkippableFact]
    public void A_claimed_report_that_is_not_yet_marked_queued_is_run_like_any_other()
    {
        Reports.CreateReport(new ReportRecord("r1", ReportStatus.Pending, new ReportRequest(), At(0)));

        // Its job runs it: the job exists, so the trigger queued it.
        Assert.Equal(1, Reports.TryStartReport("r1", At(1), At(0))!.Attempts);

        Assert.Equal(["r1"], Reports.ListReports(0, 10).Select(r => r.Id));
        Assert.Equal(["r1"], Reports.StaleReports(At(2)));
    }

    [SkippableFact]
    public void A_withdrawn_report_is_gone_with_its_csv()
    {
        Create("r1", 0);
        Create("r2", 0);
        Reports.TryStartReport("r1", At(1), At(0));
        Assert.True(Reports.CompleteReport("r1", attempt: 1, new ReportSummary(null, 1, 0), "store_id\ns\n"u8, At(2)));

        Reports.WithdrawReport("r1");
        Reports.WithdrawReport("r1");

        Assert.Null(Reports.FindReport("r1"));
        Assert.Null(Reports.OpenReportCsv("r1"));
        Assert.Equal(0, Db.Scalar("SELECT count(*) FROM report_csv"));
        Assert.Equal(["r2"], Reports.ListReports(0, 10).Select(r => r.Id));
    }

    [SkippableFact]
    public void A_run_stopped_by_the_database_retakes_its_report_as_a_new_attempt_only_while_nobody_else_has()
    {
        Create("r1", 0);
        Create("r2", 0);
        Reports.TryStartReport("r1", At(1), At(0));
        Assert.True(Reports.ReportProgress("r1", attempt: 1, 5, 10, At(2)));

        var again = Reports.RetakeReport("r1", attempt: 1, At(3));

        Assert.Equal(
            new ReportRecord("r1", ReportStatus.Running, new ReportRequest(), At(0), StartedAt: At(3), StoresDone: 0, StoresTotal: 10, Attempts: 2, HeartbeatAt: At(3)),
            again);
        // Attempt 1 is over: neither it nor an attempt that never was can take it again.
        Assert.Null(Reports.RetakeReport("r1", attempt: 1, At(4)));
        Assert.Null(Reports.RetakeReport("r1", attempt: 3, At(4)));
        Assert.False(Reports.ReportProgress("r1", attempt: 1, 6, 10, At(4)));
        // Taken for dead meanwhile and claimed by another runner: the stopped run has lost it.
        Assert.Equal(3, Reports.TryStartReport("r1", At(60), staleBefore: At(10))!.Attempts);
        Assert.Null(Reports.RetakeReport("r1", attempt: 2, At(61)));
        // Pending (never claimed) or finished: nothing to take again.
        Assert.Null(Reports.RetakeReport("r2", attempt: 0, At(61)));
        Assert.True(Reports.CompleteReport("r1", attempt: 3, new ReportSummary(null, 1, 0), "store_id\ns\n"u8, At(62)));
        Assert.Null(Reports.RetakeReport("r1", attempt: 3, At(63)));
        Assert.Equal((ReportStatus.Complete, 3), (Reports.FindReport("r1")!.Status, Reports.FindReport("r1")!.Attempts));
    }

    private static string ReportCsvOf(int rows, string prefix)
    {
        var csv = new StringBuilder(ReportCsv.Header + "\n");
        for (var i = 0; i < rows; i++)
        {
            csv.Append(prefix).Append(i).Append(",60.00,24.00,168.00,0.00,0.00,0.00\n");
        }
        return csv.ToString();
    }
}

public sealed class ReportStoreTests_Sqlite() : ReportStoreTests(DatabaseKind.Sqlite);

public sealed class ReportStoreTests_Postgres() : ReportStoreTests(DatabaseKind.Postgres);
