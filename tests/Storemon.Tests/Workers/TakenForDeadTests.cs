using System.Text;
using NodaTime;
using NodaTime.Testing;
using Storemon.Generate;
using Storemon.Reports;
using Storemon.Storage;
using Storemon.Tests.Api;
using Storemon.Tests.Databases;

namespace Storemon.Tests.Workers;

/// <summary>
/// A worker is taken for dead when its heartbeat is older than the stale time, and its report is run
/// again elsewhere; but a worker that was only slow (a long pause, a network hiccup) carries on
/// afterwards. What it does then must not spoil the report its replacement runs: the report completes,
/// from the replacement's snapshot alone.
/// </summary>
public sealed class TakenForDeadTests() : DatabaseTest(DatabaseKind.Postgres)
{
    private static readonly Instant Now = Instant.FromUtc(2024, 10, 14, 13, 0);

    private static readonly ReportOptions TwoShards = new() { StaleAfter = TimeSpan.FromMinutes(1), Shards = 2 };

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    // The replacement's clock is past the stale time of the first worker's last heartbeat.
    private static FakeClock ReplacementClock() => new(Now + Duration.FromMinutes(5));

    private void ImportStores(int stores = 200, int days = 8) =>
        GeneratedData.Import(Db.Store, SyntheticDataSet.Create(new GeneratorOptions { Stores = stores, Span = TimeSpan.FromDays(days), End = Now, Seed = 3 }));

    [SkippableFact]
    public void A_worker_that_resumes_after_its_report_was_run_again_to_the_end_leaves_the_report_complete()
    {
        ImportStores();
        using var elsewhere = Db.Open();
        var replacement = Jobs(elsewhere, elsewhere, ReplacementClock(), TwoShards);
        // The first worker stalls right after planning its shards; meanwhile its report is run again, to
        // the end, by the replacement; then the first worker carries on.
        var slow = Jobs(Db.Store, Db.Store, new FakeClock(Now), TwoShards,
            helpersRequested: id => replacement.Execute(id, CancellationToken.None));
        var report = slow.Trigger(new ReportRequest());

        slow.Execute(report.Id, CancellationToken.None);

        AssertCompleteWithTheEnginesReport(report.Id);
    }

    [SkippableFact]
    public async Task A_worker_that_resumes_while_its_report_is_run_again_computes_none_of_the_new_runs_shards_from_its_old_snapshot()
    {
        ImportStores();
        using var elsewhere = Db.Open();
        using var planned = new ManualResetEventSlim();
        using var resumed = new ManualResetEventSlim();
        // The replacement plans its shards, then waits until the first worker has carried on.
        var replacement = Jobs(elsewhere, elsewhere, ReplacementClock(), TwoShards, helpersRequested: _ =>
        {
            planned.Set();
            Assert.True(resumed.Wait(Timeout));
        });
        Task? rerun = null;
        // The first worker stalls after planning; meanwhile a store's polls arrive (so the replacement's
        // snapshot differs from the first worker's) and the report is taken over.
        var slow = Jobs(Db.Store, Db.Store, new FakeClock(Now), TwoShards, helpersRequested: id =>
        {
            Db.Store.WritePolls(ServiceCalls.HourlyPolls("late-store", Now + Duration.FromMinutes(30), 24), CancellationToken.None);
            rerun = Task.Run(() => replacement.Execute(id, CancellationToken.None));
            Assert.True(planned.Wait(Timeout));
        });
        var report = slow.Trigger(new ReportRequest());

        slow.Execute(report.Id, CancellationToken.None);
        resumed.Set();
        await rerun!;

        var csv = AssertCompleteWithTheEnginesReport(report.Id);
        Assert.Contains("\nlate-store,", csv, StringComparison.Ordinal);
    }

    // The same for a report computed in one piece: the first worker stalls at its first heartbeat,
    // meanwhile polls arrive and the report is run again to the end; then the first worker carries on,
    // with a CSV that lacks the new polls, or with an error (its connection broke while it stalled).
    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_worker_that_resumes_after_its_whole_report_was_run_again_neither_overwrites_nor_fails_it(bool failsOnResuming)
    {
        ImportStores();
        using var elsewhere = Db.Open();
        var whole = new ReportOptions { StaleAfter = TimeSpan.FromMinutes(1) };
        var replacement = Jobs(elsewhere, elsewhere, ReplacementClock(), whole);
        var stalls = new StallsAtFirstHeartbeat(Db.Store, id =>
        {
            Db.Store.WritePolls(ServiceCalls.HourlyPolls("late-store", Now + Duration.FromMinutes(30), 24), CancellationToken.None);
            replacement.Execute(id, CancellationToken.None);
            Assert.Equal(ReportStatus.Complete, Db.Store.FindReport(id)!.Status);
            if (failsOnResuming)
            {
                throw new IOException("the connection broke while the worker stalled");
            }
        });
        var slow = Jobs(Db.Store, stalls, new FakeClock(Now), whole, shards: stalls);
        var report = slow.Trigger(new ReportRequest());

        slow.Execute(report.Id, CancellationToken.None);

        Assert.True(stalls.Stalled);
        var csv = AssertCompleteWithTheEnginesReport(report.Id);
        Assert.Contains("\nlate-store,", csv, StringComparison.Ordinal);
    }

    // The same in the middle of a shard: the report's own worker stalls at its first shard's first
    // heartbeat (a shard beats every 1,024 stores: these shards have 1,100), meanwhile polls arrive and
    // the report is run again to the end elsewhere; then the first worker carries on. The shard's
    // heartbeat names the old attempt and is refused: the worker stops there, computing no more of the
    // shard, storing none of it and failing nothing.
    [SkippableFact]
    public void A_worker_that_resumes_mid_shard_after_its_report_was_run_again_stops_there_and_leaves_the_report_complete()
    {
        ImportStores(stores: 2200, days: 2);
        using var elsewhere = Db.Open();
        var replacement = Jobs(elsewhere, elsewhere, ReplacementClock(), TwoShards);
        var stalls = new StallsAtFirstHeartbeat(Db.Store, id =>
        {
            Db.Store.WritePolls(ServiceCalls.HourlyPolls("late-store", Now + Duration.FromMinutes(30), 24), CancellationToken.None);
            replacement.Execute(id, CancellationToken.None);
            Assert.Equal(ReportStatus.Complete, Db.Store.FindReport(id)!.Status);
        });
        var slow = Jobs(Db.Store, stalls, new FakeClock(Now), TwoShards, shards: stalls);
        var report = slow.Trigger(new ReportRequest());

        slow.Execute(report.Id, CancellationToken.None);

        Assert.Equal([(1, 0, false)], stalls.ShardHeartbeats);
        var csv = AssertCompleteWithTheEnginesReport(report.Id);
        Assert.Contains("\nlate-store,", csv, StringComparison.Ordinal);
    }

    private string AssertCompleteWithTheEnginesReport(string id)
    {
        var record = Db.Store.FindReport(id)!;
        Assert.True(record.Status == ReportStatus.Complete, $"The report is {record.Status}: {record.Error}");
        Assert.Equal(2, record.Attempts);
        using var stored = Db.Store.OpenReportCsv(id)!;
        using var text = new StreamReader(stored, Encoding.UTF8);
        var csv = text.ReadToEnd();
        using var expected = new StringWriter();
        ReportRunner.Run(Db.Store, new ReportRequest(), expected);
        Assert.Equal(expected.ToString(), csv);
        return csv;
    }

    /// <summary>
    /// Report jobs over <paramref name="store"/> whose job engine runs nothing (each test runs its reports
    /// itself) and calls <paramref name="helpersRequested"/> when the report's worker, right after it
    /// planned the shards, asks for helpers.
    /// </summary>
    private static ReportJobs Jobs(
        IStoremonDatabase store, IReportStore reports, IClock clock, ReportOptions options,
        Action<string>? helpersRequested = null, IReportShardStore? shards = null) =>
        new(store, reports, new NoJobEngine(helpersRequested), clock, options,
            new ShardedReports((ISharedSnapshots)store, shards ?? (IReportShardStore)store));

    private sealed class NoJobEngine(Action<string>? helpersRequested) : IJobEngine
    {
        public void Enqueue(string reportId)
        {
        }

        public void RequestHelpers(string reportId, int helpers) => helpersRequested?.Invoke(reportId);
    }
}
