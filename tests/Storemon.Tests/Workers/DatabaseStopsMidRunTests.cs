using System.Diagnostics;
using System.Text;
using Microsoft.Data.Sqlite;
using NodaTime;
using NodaTime.Testing;
using Storemon.Generate;
using Storemon.Reports;
using Storemon.Storage;
using Storemon.Tests.Api;
using Storemon.Tests.Databases;

namespace Storemon.Tests.Workers;

/// <summary>
/// The database goes away under a running report (at its first heartbeat) and comes back a little
/// later: the run waits for it and runs the report again at once, as a new attempt, far sooner than the
/// stale time (an hour here); and a run that finds the report claimed by someone else meanwhile leaves
/// it to them.
/// </summary>
public abstract class DatabaseStopsMidRunTests : IDisposable
{
    private static readonly Instant Now = Instant.FromUtc(2024, 10, 14, 13, 0);

    private static readonly ReportOptions Whole = new() { StaleAfter = TimeSpan.FromHours(1) };

    private static readonly TimeSpan Down = TimeSpan.FromSeconds(2);

    // The run tries every two seconds at most once the database is back; the rest is the report's.
    private static readonly TimeSpan SoonAfter = TimeSpan.FromSeconds(15);

    /// <summary>The database, as the service opens it.</summary>
    protected abstract IStoremonDatabase Store { get; }

    /// <summary>The database stops answering: a new connection is refused.</summary>
    protected abstract void GoAway();

    /// <summary>It answers again.</summary>
    protected abstract void ComeBack();

    public abstract void Dispose();

    private void ImportStores() =>
        GeneratedData.Import(Store, SyntheticDataSet.Create(new GeneratorOptions { Stores = 200, Span = TimeSpan.FromDays(8), End = Now, Seed = 5 }));

    [SkippableFact]
    public async Task A_run_the_database_stopped_runs_the_report_again_as_soon_as_it_answers()
    {
        ImportStores();
        var back = Stopwatch.StartNew();
        Task? restart = null;
        var outage = new StallsAtFirstHeartbeat(Store, _ =>
        {
            GoAway();
            restart = Task.Run(async () =>
            {
                await Task.Delay(Down);
                ComeBack();
                back.Restart();
            });
        });
        var jobs = new ReportJobs(Store, outage, new QueuesNothing(), new FakeClock(Now), Whole);
        var report = jobs.Trigger(new ReportRequest());

        jobs.Execute(report.Id, CancellationToken.None);

        Assert.True(outage.Stalled);
        await restart!;
        Assert.True(back.Elapsed < SoonAfter, $"The report completed {back.Elapsed.TotalSeconds:F1} s after the database was back");
        var record = Store.FindReport(report.Id)!;
        Assert.True(record.Status == ReportStatus.Complete, $"The report is {record.Status}: {record.Error}");
        // Attempt 1 stopped with the database; attempt 2 ran the report.
        Assert.Equal(2, record.Attempts);
        Assert.Equal(EngineReport(), StoredCsv(report.Id));
    }

    [SkippableFact]
    public void A_run_that_finds_its_report_claimed_by_another_once_the_database_answers_leaves_it_to_that_run()
    {
        ImportStores();
        var replacement = new ReportJobs(Store, Store, new QueuesNothing(), new FakeClock(Now + Duration.FromHours(2)), Whole);
        var retakes = 0;
        // The database is back before the stopped run's first try, and the report, stale by the other
        // worker's clock, is run by it to the end meanwhile.
        var outage = new StallsAtFirstHeartbeat(Store, _ => GoAway(), retaking: id =>
        {
            if (retakes++ == 0)
            {
                ComeBack();
                replacement.Execute(id, CancellationToken.None);
            }
        });
        var jobs = new ReportJobs(Store, outage, new QueuesNothing(), new FakeClock(Now), Whole);
        var report = jobs.Trigger(new ReportRequest());

        jobs.Execute(report.Id, CancellationToken.None);

        Assert.Equal(1, retakes);
        var record = Store.FindReport(report.Id)!;
        Assert.Equal((ReportStatus.Complete, 2, null), (record.Status, record.Attempts, record.Error));
        Assert.Equal(EngineReport(), StoredCsv(report.Id));
    }

    [SkippableFact]
    public void A_run_waiting_for_the_database_stops_when_the_process_shuts_down_and_leaves_the_report_to_the_recovery()
    {
        ImportStores();
        using var shutdown = new CancellationTokenSource();
        var outage = new StallsAtFirstHeartbeat(Store, _ =>
        {
            GoAway();
            shutdown.CancelAfter(TimeSpan.FromSeconds(1));
        });
        var jobs = new ReportJobs(Store, outage, new QueuesNothing(), new FakeClock(Now), Whole);
        var report = jobs.Trigger(new ReportRequest());

        Assert.ThrowsAny<OperationCanceledException>(() => jobs.Execute(report.Id, shutdown.Token));

        ComeBack();
        // As a runner that died leaves it: Running in its attempt, found by the recovery once stale.
        var record = Store.FindReport(report.Id)!;
        Assert.Equal((ReportStatus.Running, 1), (record.Status, record.Attempts));
        Assert.Equal([report.Id], Store.StaleReports(Now + Duration.FromTimeSpan(Whole.StaleAfter)));
    }

    private string EngineReport()
    {
        using var expected = new StringWriter();
        ReportRunner.Run(Store, new ReportRequest(), expected);
        return expected.ToString();
    }

    private string StoredCsv(string id)
    {
        using var stored = Store.OpenReportCsv(id)!;
        using var text = new StreamReader(stored, Encoding.UTF8);
        return text.ReadToEnd();
    }

    private sealed class QueuesNothing : IJobEngine
    {
        public void Enqueue(string reportId)
        {
        }

        public void RequestHelpers(string reportId, int helpers)
        {
        }
    }
}

/// <summary>
/// SQLite's file is out of reach (its folder moved away, as a volume that is gone): a new connection
/// cannot open it (SQLITE_CANTOPEN), until the folder is back.
/// </summary>
public sealed class DatabaseStopsMidRunTests_Sqlite : DatabaseStopsMidRunTests
{
    private readonly TestDatabase _database = TestDatabase.Create(DatabaseKind.Sqlite);

    private string Folder => Path.GetDirectoryName(_database.Connection)!;

    private string Away => Folder + "-away";

    protected override IStoremonDatabase Store => _database.Store;

    protected override void GoAway()
    {
        Directory.Move(Folder, Away);
        // Connections already open keep the file; the pool's idle ones go, so that the next is opened anew.
        SqliteConnection.ClearAllPools();
    }

    protected override void ComeBack() => Directory.Move(Away, Folder);

    public override void Dispose()
    {
        if (Directory.Exists(Away))
        {
            ComeBack();
        }
        _database.Dispose();
    }
}

/// <summary>A PostgreSQL server of the test's own, stopped (fast shutdown) and started again.</summary>
public sealed class DatabaseStopsMidRunTests_Postgres : DatabaseStopsMidRunTests
{
    private readonly ThrowawayPostgres _postgres;
    private readonly IStoremonDatabase _store;

    public DatabaseStopsMidRunTests_Postgres()
    {
        _postgres = ThrowawayPostgres.Start();
        _store = MonitoringStores.Open(_postgres.ConnectionString);
        _store.Migrate();
    }

    protected override IStoremonDatabase Store => _store;

    protected override void GoAway() => _postgres.Halt();

    protected override void ComeBack() => _postgres.Resume();

    public override void Dispose()
    {
        _store.Dispose();
        _postgres.Dispose();
    }
}
