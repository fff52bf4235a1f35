using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NodaTime;
using Storemon.Engine;
using Storemon.Storage;

namespace Storemon.Reports;

/// <summary>
/// The job engine that runs reports, as report jobs see it: a report is queued by its id, and a job
/// calls <see cref="ReportJobs.Execute"/> for it at least once; helpers on a sharded report call
/// <see cref="ReportJobs.HelpWithShards"/>.
/// </summary>
public interface IJobEngine
{
    /// <summary>Queues a run of the report.</summary>
    void Enqueue(string reportId);

    /// <summary>Asks <paramref name="helpers"/> other workers to help with the report's shards (a job each).</summary>
    void RequestHelpers(string reportId, int helpers);
}

/// <summary>What a database needs for reports split across workers: snapshots shared between processes, and the shards' records.</summary>
public sealed record ShardedReports(ISharedSnapshots Snapshots, IReportShardStore Shards)
{
    /// <summary>The sharding capabilities of <paramref name="database"/>, or null when it has them not (SQLite).</summary>
    public static ShardedReports? Of(IStoremonDatabase database) =>
        database is ISharedSnapshots snapshots && database is IReportShardStore shards ? new ShardedReports(snapshots, shards) : null;
}

/// <summary>
/// A report's whole life outside the engine: it is recorded Pending and queued when triggered, claimed
/// (Running) by one runner, its progress is its heartbeat, and it ends Complete with its CSV or Failed
/// with the reason. Reports whose runner died are queued again, and finished ones pruned, by
/// <see cref="RecoverAtStart"/> and <see cref="Recover"/>. The job engine runs
/// <see cref="Execute"/> at least once per queued report; running it again is harmless. Runs that the
/// database failed, and those it took to the end, are told to <paramref name="outcomes"/> (the health check).
/// </summary>
public sealed partial class ReportJobs(
    IMonitoringStore store, IReportStore reports, IJobEngine queue, IClock clock, ReportOptions options,
    ShardedReports? sharding = null, ILogger<ReportJobs>? logger = null, WriteOutcomes? outcomes = null)
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    // Names this process in the logs of shards, which several processes (on several machines) compute.
    private static readonly string Worker = $"{Environment.MachineName}/{Environment.ProcessId}";

    private readonly ILogger log = logger ?? NullLogger<ReportJobs>.Instance;

    /// <summary>
    /// Records a new Pending report and queues its run; returns the record. Its id is 128 random bits,
    /// so it cannot be guessed. The record and the job are kept apart (the job engine's storage), so they
    /// are made one after the other: the record first, not yet queued, then the job, then the record is
    /// marked queued. When the job cannot be queued (a full disk, a database that does not answer) the
    /// record is deleted and the error thrown on, for the caller to hear; should the deletion fail too,
    /// the record stays unqueued, which nothing lists or runs, and the recovery prunes it.
    /// </summary>
    public ReportRecord Trigger(ReportRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        // Instants are stored in microseconds: the record says now what it will say when read back.
        var now = Instant.FromUnixTimeTicks(clock.GetCurrentInstant().ToUnixTimeTicks() / Poll.TicksPerMicrosecond * Poll.TicksPerMicrosecond);
        var report = new ReportRecord(NewId(), ReportStatus.Pending, request, now);
        try
        {
            reports.CreateReport(report);
        }
        catch (Exception e)
        {
            outcomes?.Failed(WriteKind.ReportRun, e);
            throw;
        }
        try
        {
            queue.Enqueue(report.Id);
        }
        catch (Exception e)
        {
            Withdraw(report.Id, e);
            throw;
        }
        try
        {
            reports.MarkQueued(report.Id);
        }
        catch (Exception e)
        {
            // The job is queued and runs the report (its claim marks it as a queued one would be); only
            // the recovery's second chance is missing until then.
            LogNotMarkedQueued(e, report.Id);
        }
        return report with { HeartbeatAt = now };
    }

    private void Withdraw(string reportId, Exception enqueueError)
    {
        try
        {
            reports.WithdrawReport(reportId);
            LogWithdrawn(enqueueError, reportId);
        }
        catch (Exception e)
        {
            LogNotWithdrawn(new AggregateException(enqueueError, e), reportId);
        }
    }

    /// <summary>
    /// Runs the report if nobody else is: Complete with its CSV, or Failed with the reason. A cancelled
    /// run (the process shutting down) leaves the report Running, to be run again by whoever finds it
    /// stale. A run that the database stopped answering waits for it and runs the report again as soon as
    /// it answers (<see cref="WhenTheDatabaseAnswers"/>). A failure that cannot be recorded leaves it
    /// Running too: whatever goes wrong, a report is never left Running with a beating heart and nobody
    /// behind it.
    /// </summary>
    public void Execute(string reportId, CancellationToken cancellationToken)
    {
        var now = clock.GetCurrentInstant();
        // The record as claimed: its attempt is this run's.
        var report = reports.TryStartReport(reportId, now, now - Duration.FromTimeSpan(options.StaleAfter));
        while (report is not null)
        {
            try
            {
                if (options.Shards > 1 && sharding is not null)
                {
                    ExecuteSharded(report, sharding, cancellationToken);
                }
                else
                {
                    using var snapshot = store.OpenSnapshot();
                    RunWhole(report, snapshot, cancellationToken);
                }
                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (RunSupersededException)
            {
                LogSuperseded(report.Id, report.Attempts, Worker);
                return;
            }
            catch (Exception e) when (DatabaseUnavailable.IsCause(e))
            {
                // Not a fault of the report: it stays Running in this attempt (the database could not
                // record anything else now anyway) while this run waits for the database.
                outcomes?.Failed(WriteKind.ReportRun, e);
                LogDatabaseUnavailable(e, report.Id, report.Attempts, Worker);
                report = WhenTheDatabaseAnswers(report, cancellationToken);
            }
            catch (Exception e)
            {
                // Never a silently partial CSV: the report fails whole, with a reason its caller can read.
                Fail(report.Id, report.Attempts, e, shard: null);
                return;
            }
        }
    }

    /// <summary>
    /// Waits, trying again and again sooner than the stale time, until the database answers, then claims the
    /// report again for a new attempt (<see cref="IReportStore.RetakeReport"/>): the record as claimed, or
    /// null when someone else claimed it meanwhile (it went stale). A process shutting down meanwhile
    /// cancels the run, which leaves the report Running, for the recovery, as a runner that died would.
    /// </summary>
    private ReportRecord? WhenTheDatabaseAnswers(ReportRecord report, CancellationToken cancellationToken)
    {
        var wait = FirstDatabaseWait;
        var waited = TimeSpan.Zero;
        while (!cancellationToken.WaitHandle.WaitOne(wait))
        {
            waited += wait;
            try
            {
                var again = reports.RetakeReport(report.Id, report.Attempts, clock.GetCurrentInstant());
                if (again is null)
                {
                    LogTakenOver(report.Id, report.Attempts, Worker);
                }
                else
                {
                    LogDatabaseBack(report.Id, again.Attempts, waited.TotalSeconds, Worker);
                }
                return again;
            }
            catch (Exception e) when (DatabaseUnavailable.IsCause(e))
            {
                wait = wait * 2 < LastDatabaseWait ? wait * 2 : LastDatabaseWait;
            }
        }
        cancellationToken.ThrowIfCancellationRequested();
        return null;
    }

    // From a quarter of a second, doubling, to two seconds between tries: a restart takes seconds, and a
    // try costs a refused connection.
    private static readonly TimeSpan FirstDatabaseWait = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan LastDatabaseWait = TimeSpan.FromSeconds(2);

    /// <summary>
    /// At the start of a process that runs jobs: queues every report that needs a run. When this process
    /// is the database's only user (<paramref name="onlyProcess"/>: a SQLite file), a report still marked
    /// Running was run by a process that is gone, so it goes back to Pending first; on a database shared
    /// with other workers only a stopped heartbeat tells an abandoned report. Returns how many were queued.
    /// </summary>
    public int RecoverAtStart(bool onlyProcess)
    {
        if (!onlyProcess)
        {
            return Recover();
        }
        var released = reports.ReleaseRunningReports();
        // Every unfinished report, however recent: none of them can be running now.
        var ids = reports.StaleReports(clock.GetCurrentInstant() + Duration.FromSeconds(1));
        Requeue(ids, released);
        return ids.Count;
    }

    /// <summary>
    /// What a process that runs jobs does every <see cref="ReportOptions.RecoveryInterval"/>: queues again the
    /// reports whose runner stopped beating for <see cref="ReportOptions.StaleAfter"/> (and Pending ones as
    /// old), and deletes finished reports older than <see cref="ReportOptions.Retention"/>. Returns how many
    /// were queued.
    /// </summary>
    public int Recover()
    {
        var now = clock.GetCurrentInstant();
        var ids = reports.StaleReports(now - Duration.FromTimeSpan(options.StaleAfter));
        Requeue(ids, released: 0);
        var pruned = reports.PruneReports(now - Duration.FromTimeSpan(options.Retention));
        if (pruned > 0)
        {
            LogPruned(pruned);
        }
        return ids.Count;
    }

    private void Requeue(IReadOnlyList<string> ids, int released)
    {
        foreach (var id in ids)
        {
            queue.Enqueue(id);
        }
        if (ids.Count > 0)
        {
            LogRequeued(ids.Count, released);
        }
    }

    /// <summary>
    /// Marks the report Failed. The reason a caller reads names what went wrong in the data when the
    /// data is at fault (<see cref="InvalidDataException"/>: a store's zone unknown to the tz database);
    /// anything else is a fault of the service, whose details go to the log, not to the caller.
    /// </summary>
    private void Fail(string reportId, int attempt, Exception error, string? shard)
    {
        outcomes?.Failed(WriteKind.ReportRun, error);
        LogFailed(error, reportId, attempt, shard ?? "whole", Worker);
        var reason = error is InvalidDataException
            ? error.Message
            : $"The report could not be computed because of an error in the service (logged with report {reportId}, attempt {attempt}). Trigger it again; if it fails again, the service log says why.";
        reports.FailReport(reportId, attempt, shard is null ? reason : $"{reason} ({shard})", clock.GetCurrentInstant());
    }

    /// <summary>The CSV that <paramref name="write"/> writes, in memory (UTF-8 without a byte-order mark), and what it returned.</summary>
    private static (MemoryStream Csv, ReportSummary Summary) InMemory(Func<TextWriter, ReportSummary> write)
    {
        var csv = new MemoryStream();
        using (var writer = new StreamWriter(csv, Utf8, 1 << 16, leaveOpen: true))
        {
            return (csv, write(writer));
        }
    }

    private static ReadOnlySpan<byte> Bytes(MemoryStream csv) => csv.GetBuffer().AsSpan(0, (int)csv.Length);

    /// <summary>Computes the report in one piece from <paramref name="snapshot"/> and stores it Complete.</summary>
    private void RunWhole(ReportRecord report, IReportSnapshot snapshot, CancellationToken cancellationToken)
    {
        var started = clock.GetCurrentInstant();
        var (csv, summary) = InMemory(writer => ReportRunner.Run(
            snapshot, report.Request, writer, new Heartbeat(reports, report.Id, report.Attempts, clock), cancellationToken));
        using var _ = csv;
        var now = clock.GetCurrentInstant();
        if (!reports.CompleteReport(report.Id, report.Attempts, summary, Bytes(csv), now))
        {
            throw new RunSupersededException();
        }
        outcomes?.Succeeded(WriteKind.ReportRun);
        var took = now - started;
        LogComputedWhole(report.Id, summary.Stores, summary.PollRows, took.TotalSeconds, Worker);
    }

    private static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    [LoggerMessage(Level = LogLevel.Information, Message = "Report {ReportId} complete: {Stores} stores, {PollRows} polls in {Seconds:0.000} s, in one piece by {Worker}")]
    private partial void LogComputedWhole(string reportId, int stores, long pollRows, double seconds, string worker);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Report {ReportId}: attempt {Attempt} on {Worker} stopped, writing nothing: the report is no longer Running in it (taken for dead and claimed again, or failed by one of its shards)")]
    private partial void LogSuperseded(string reportId, int attempt, string worker);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Report {ReportId} (attempt {Attempt}) stopped on {Worker}: the database does not answer; it is run again as soon as the database answers")]
    private partial void LogDatabaseUnavailable(Exception error, string reportId, int attempt, string worker);

    [LoggerMessage(Level = LogLevel.Information, Message = "Report {ReportId}: the database answers again after {Seconds:0.0} s; attempt {Attempt} runs on {Worker}")]
    private partial void LogDatabaseBack(string reportId, int attempt, double seconds, string worker);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Report {ReportId}: attempt {Attempt} on {Worker} found the database again, but the report had been claimed again meanwhile (or had ended); it leaves the report to that run")]
    private partial void LogTakenOver(string reportId, int attempt, string worker);

    [LoggerMessage(Level = LogLevel.Error, Message = "Report {ReportId} could not be queued; its record is deleted and the trigger fails")]
    private partial void LogWithdrawn(Exception error, string reportId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Report {ReportId} could not be queued, nor its record deleted; the record stays unqueued (never listed nor run) until the recovery prunes it")]
    private partial void LogNotWithdrawn(Exception error, string reportId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Report {ReportId} is queued, but its record could not be marked so; its job runs it all the same")]
    private partial void LogNotMarkedQueued(Exception error, string reportId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Report {ReportId} (attempt {Attempt}, {Part}) failed on {Worker}")]
    private partial void LogFailed(Exception error, string reportId, int attempt, string part, string worker);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Enqueued {Count} unfinished reports again ({Released} had been left Running by a stopped process)")]
    private partial void LogRequeued(int count, int released);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pruned {Count} reports past their retention")]
    private partial void LogPruned(int count);

    /// <summary>
    /// The report is no longer Running in this run's attempt: the runner was taken for dead (its heartbeat
    /// went stale) and the report claimed again, or it ended meanwhile. The run stops where it is.
    /// </summary>
    private sealed class RunSupersededException : Exception;

    private sealed class Heartbeat(IReportStore reports, string reportId, int attempt, IClock clock) : IProgress<ReportProgress>
    {
        public void Report(ReportProgress value)
        {
            if (!reports.ReportProgress(reportId, attempt, value.StoresDone, value.StoresTotal, clock.GetCurrentInstant()))
            {
                throw new RunSupersededException();
            }
        }
    }
}
