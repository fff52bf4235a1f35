using Microsoft.Extensions.Logging;
using NodaTime;
using Storemon.Storage;

namespace Storemon.Reports;

/// <summary>
/// One report computed by several workers: the worker that claimed the report opens its snapshot,
/// exports it, splits the stores into shards by external id and records them; it asks other workers for
/// help, then computes shards itself until none is left, taking over any whose worker stopped beating,
/// and finally joins the shards' CSVs in order. Helpers import the same snapshot, so every shard sees the
/// same database. A helper that dies loses only its shard, which is computed again; if the report's own
/// worker dies its snapshot goes with it, the report's heartbeat stops, and the whole report is run again.
/// </summary>
public sealed partial class ReportJobs
{
    private static readonly TimeSpan ShardWait = TimeSpan.FromMilliseconds(100);

    /// <summary>A helper's job: computes shards of the report until none is left to claim.</summary>
    public void HelpWithShards(string reportId, CancellationToken cancellationToken)
    {
        if (sharding is not { } sharded)
        {
            return;
        }
        while (Claim(sharded.Shards, reportId, attempt: null) is { } work)
        {
            IReportSnapshot snapshot;
            try
            {
                snapshot = sharded.Snapshots.OpenSnapshot(work.Snapshot);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The report's worker, which holds the snapshot, is gone: the report will be run again
                // from scratch once its heartbeat is stale, with a new snapshot and new shards.
                LogSnapshotGone(e, work.ReportId, work.Index + 1, work.ShardCount, work.Attempt, Worker);
                return;
            }
            using (snapshot)
            {
                try
                {
                    if (!ComputeShard(sharded.Shards, snapshot, work, reportStores: null, cancellationToken))
                    {
                        return;
                    }
                }
                catch (RunSupersededException)
                {
                    LogShardSuperseded(work.ReportId, work.Index + 1, work.ShardCount, work.Attempt, Worker);
                    return;
                }
                catch (Exception e) when (DatabaseUnavailable.IsCause(e))
                {
                    // The shard's heartbeat stops with it: another worker takes it over once the database answers.
                    outcomes?.Failed(WriteKind.ReportRun, e);
                    LogDatabaseUnavailable(e, work.ReportId, work.Attempt, Worker);
                    return;
                }
            }
        }
    }

    /// <summary>The run of a sharded report by the worker that claimed it; <see cref="Execute"/> handles its failure.</summary>
    private void ExecuteSharded(ReportRecord report, ShardedReports sharded, CancellationToken cancellationToken)
    {
        // The record as this worker claimed it: its attempt is this run's.
        var attempt = report.Attempts;
        var shards = sharded.Shards;
        using var snapshot = sharded.Snapshots.OpenExportedSnapshot();
        var latestPoll = snapshot.LatestPoll();
        if ((report.Request.AsOf ?? latestPoll) is not { } reportTime)
        {
            RunWhole(report, snapshot, cancellationToken);
            return;
        }
        var storeIds = snapshot.StoreIds();
        var plan = Plan(storeIds, options.Shards);
        shards.PlanShards(report.Id, attempt, snapshot.Id, reportTime, plan);
        queue.RequestHelpers(report.Id, plan.Count - 1);
        var planned = clock.GetCurrentInstant() - report.StartedAt!.Value;
        LogPlanned(report.Id, attempt, plan.Count, storeIds.Count, planned.TotalSeconds, Worker);

        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (Claim(shards, report.Id, attempt) is { } work)
            {
                if (!ComputeShard(shards, snapshot, work, storeIds.Count, cancellationToken))
                {
                    return;
                }
                continue;
            }
            var progress = shards.ShardProgress(report.Id, attempt);
            if (progress.ShardsDone == progress.Shards)
            {
                break;
            }
            // Waiting for helpers; the report's heartbeat says this worker (and its snapshot) is alive.
            if (!reports.ReportProgress(report.Id, attempt, progress.StoresDone, storeIds.Count, clock.GetCurrentInstant()))
            {
                return; // a shard failed the report, or this worker was taken for dead and the report run again
            }
            cancellationToken.WaitHandle.WaitOne(ShardWait);
        }
        var now = clock.GetCurrentInstant();
        if (shards.CompleteReportFromShards(report.Id, attempt, reportTime, latestPoll, now))
        {
            var took = now - report.StartedAt!.Value;
            LogAssembled(report.Id, plan.Count, took.TotalSeconds, Worker);
        }
    }

    /// <summary>Splits the stores, in the databases' order of their ids (<see cref="StoreRange.IdOrder"/>), into up to <paramref name="count"/> ranges of nearly equal size.</summary>
    public static IReadOnlyList<ShardPlan> Plan(IEnumerable<string> storeIds, int count)
    {
        var ids = storeIds.ToArray();
        Array.Sort(ids, StoreRange.IdOrder);
        count = Math.Max(1, Math.Min(count, ids.Length));
        var plan = new List<ShardPlan>(count);
        for (var i = 0; i < count; i++)
        {
            plan.Add(new ShardPlan(
                i,
                i == 0 ? null : ids[(int)((long)ids.Length * i / count)],
                i == count - 1 ? null : ids[(int)((long)ids.Length * (i + 1) / count)]));
        }
        return plan;
    }

    // A shard beats every thousand stores or so, a fraction of a second apart, so it counts as abandoned
    // much sooner than a report does: taking over a shard whose worker was only slow costs a second
    // computation of the same bytes, while waiting the report's StaleAfter would hold the whole report up.
    private static readonly TimeSpan ShardStaleAfter = TimeSpan.FromSeconds(10);

    private ShardWork? Claim(IReportShardStore shards, string reportId, int? attempt)
    {
        var now = clock.GetCurrentInstant();
        var staleAfter = options.StaleAfter < ShardStaleAfter ? options.StaleAfter : ShardStaleAfter;
        return shards.TryClaimShard(reportId, now, now - Duration.FromTimeSpan(staleAfter), attempt);
    }

    /// <summary>
    /// Computes one shard and stores its CSV; false when the shard failed (and with it the report). The
    /// report's own worker (<paramref name="reportStores"/> set: the report's store count) also beats the
    /// report's heartbeat meanwhile: it holds the snapshot, and a report whose heartbeat stops is run again.
    /// A database that does not answer fails nothing: its error is thrown on, and the shard is taken up
    /// again once its heartbeat is stale.
    /// </summary>
    private bool ComputeShard(IReportShardStore shards, IReportSnapshot snapshot, ShardWork work, int? reportStores, CancellationToken cancellationToken)
    {
        var started = clock.GetCurrentInstant();
        try
        {
            var (csv, summary) = InMemory(writer => ReportRunner.RunShard(
                snapshot, work.AsOf, work.Interpolation, work.MaxGap, new StoreRange(work.FromStoreId, work.ToStoreId), work.Index == 0, writer,
                new ShardHeartbeat(shards, work, clock, reportStores is null ? null : reports, reportStores ?? 0), cancellationToken));
            using var _ = csv;
            var now = clock.GetCurrentInstant();
            shards.CompleteShard(work.ReportId, work.Attempt, work.Index, summary, Bytes(csv), now);
            outcomes?.Succeeded(WriteKind.ReportRun);
            var took = now - started;
            LogShardComputed(work.ReportId, work.Attempt, work.Index + 1, work.ShardCount, summary.Stores, summary.PollRows, took.TotalSeconds, Worker,
                reportStores is null ? "a helper" : "the report's worker");
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is not RunSupersededException && !DatabaseUnavailable.IsCause(e))
        {
            Fail(work.ReportId, work.Attempt, e, $"shard {work.Index + 1} of {work.ShardCount}");
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Report {ReportId} (attempt {Attempt}) split into {Shards} shards over {Stores} stores, {Seconds:0.000} s after its start, by {Worker}")]
    private partial void LogPlanned(string reportId, int attempt, int shards, int stores, double seconds, string worker);

    [LoggerMessage(Level = LogLevel.Information, Message = "Report {ReportId} (attempt {Attempt}) shard {Shard} of {Shards}: {Stores} stores, {PollRows} polls in {Seconds:0.000} s by {Worker}, {Role}")]
    private partial void LogShardComputed(string reportId, int attempt, int shard, int shards, int stores, long pollRows, double seconds, string worker, string role);

    [LoggerMessage(Level = LogLevel.Information, Message = "Report {ReportId} complete from {Shards} shards, {Seconds:0.000} s after its start, joined by {Worker}")]
    private partial void LogAssembled(string reportId, int shards, double seconds, string worker);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Report {ReportId} shard {Shard} of {Shards} (attempt {Attempt}) stopped on {Worker}: the shard or its report ended elsewhere meanwhile, or the report was run again")]
    private partial void LogShardSuperseded(string reportId, int shard, int shards, int attempt, string worker);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Report {ReportId} shard {Shard} of {Shards} (attempt {Attempt}) left on {Worker}: its snapshot cannot be opened (its report's worker is gone); the report runs again when its heartbeat is stale")]
    private partial void LogSnapshotGone(Exception error, string reportId, int shard, int shards, int attempt, string worker);

    private sealed class ShardHeartbeat(IReportShardStore shards, ShardWork work, IClock clock, IReportStore? report, int reportStores)
        : IProgress<ReportProgress>
    {
        public void Report(ReportProgress value)
        {
            var now = clock.GetCurrentInstant();
            if (!shards.ShardHeartbeat(work.ReportId, work.Attempt, work.Index, value.StoresDone, now))
            {
                throw new RunSupersededException();
            }
            if (report is not null && !report.ReportProgress(work.ReportId, work.Attempt, shards.ShardProgress(work.ReportId, work.Attempt).StoresDone, reportStores, now))
            {
                throw new RunSupersededException();
            }
        }
    }
}
