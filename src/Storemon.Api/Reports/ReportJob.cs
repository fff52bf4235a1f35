using Hangfire;
using Microsoft.Data.Sqlite;
using Storemon.Reports;
using Storemon.Storage;

namespace Storemon.Api.Reports;

/// <summary>
/// The Hangfire jobs of reports. Hangfire runs a job at least once; <see cref="ReportJobs.Execute"/>
/// makes a second run of a finished report a no-op. A report that throws is marked Failed by
/// <see cref="ReportJobs"/>, so Hangfire's retries are not needed for it; a process that dies mid-run
/// is covered by <see cref="ReportRecovery"/>.
/// </summary>
public sealed class ReportJob(ReportJobs jobs)
{
    // No Hangfire lock around the run: ReportJobs claims the report in the database, which also
    // survives a killed process, where a lock left behind would hold up the run that replaces it.
    [AutomaticRetry(Attempts = 0)]
    public void Run(string reportId, CancellationToken cancellationToken) => jobs.Execute(reportId, cancellationToken);

    /// <summary>A helper on a report split into shards: computes shards until none is left.</summary>
    [AutomaticRetry(Attempts = 0)]
    public void HelpWithShards(string reportId, CancellationToken cancellationToken) => jobs.HelpWithShards(reportId, cancellationToken);
}

/// <summary>
/// Report jobs in Hangfire's queue: on PostgreSQL every worker, on any machine, takes jobs from it. A job
/// that cannot be queued throws what the service tells its callers apart: a full disk, a database that
/// does not answer (<see cref="QueueErrors"/>). Whether the queue's storage took each job is told to
/// <see cref="WriteOutcomes"/> (/health's part <c>jobs</c>).
/// </summary>
internal sealed class HangfireJobEngine(IBackgroundJobClient client, WriteOutcomes outcomes) : IJobEngine
{
    public void Enqueue(string reportId) =>
        Queue(() => client.Enqueue<ReportJob>(job => job.Run(reportId, CancellationToken.None)));

    public void RequestHelpers(string reportId, int helpers)
    {
        for (var i = 0; i < helpers; i++)
        {
            Queue(() => client.Enqueue<ReportJob>(job => job.HelpWithShards(reportId, CancellationToken.None)));
        }
    }

    private void Queue(Action enqueue)
    {
        try
        {
            QueueErrors.Translated(enqueue);
        }
        catch (Exception e)
        {
            if (WriteOutcomes.FaultOf(e) is { } fault)
            {
                outcomes.Failed(WriteKind.JobQueue, fault);
            }
            throw;
        }
        outcomes.Succeeded(WriteKind.JobQueue);
    }
}

/// <summary>
/// Hangfire's SQLite storage speaks sqlite-net, whose errors the service's own checks
/// (<see cref="Storemon.Storage.DiskFull"/>, <see cref="Storemon.Storage.DatabaseUnavailable"/>) do not
/// know: such an error is thrown on as the <see cref="SqliteException"/> of the same result code, with
/// Hangfire's error inside. PostgreSQL's errors (Npgsql's, in either storage) are left as they are.
/// </summary>
internal static class QueueErrors
{
    public static void Translated(Action enqueue)
    {
        try
        {
            enqueue();
        }
        catch (Exception e) when (SqliteNetError(e) is { } sqlite)
        {
            throw new AggregateException(
                $"The job queue could not be written: {sqlite.Message}", e, new SqliteException(sqlite.Message, (int)sqlite.Result));
        }
    }

    private static SQLite.SQLiteException? SqliteNetError(Exception? error)
    {
        for (; error is not null; error = error.InnerException)
        {
            if (error is SQLite.SQLiteException sqlite)
            {
                return sqlite;
            }
        }
        return null;
    }
}
