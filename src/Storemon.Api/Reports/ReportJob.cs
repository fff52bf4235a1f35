using Hangfire;
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
/// Report jobs in Hangfire's queue: on PostgreSQL every worker, on any machine, takes jobs from it. Whether
/// the queue's storage took each job is told to <see cref="WriteOutcomes"/> (/health's part <c>jobs</c>).
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

    private void Queue(Func<string> enqueue)
    {
        try
        {
            enqueue();
        }
        catch (Exception e)
        {
            if (JobQueueFault.Of(e) is { } fault)
            {
                outcomes.Failed(WriteKind.JobQueue, fault);
            }
            throw;
        }
        outcomes.Succeeded(WriteKind.JobQueue);
    }
}

/// <summary>
/// The fault of the job queue's storage in an error, in its driver's words: on SQLite the queue is written
/// by sqlite-net (<see cref="SQLite.SQLiteException"/>, with SQLite's result codes), on PostgreSQL by Npgsql,
/// whose errors <see cref="WriteOutcomes.FaultOf"/> knows.
/// </summary>
internal static class JobQueueFault
{
    public static StorageFault? Of(Exception? error) => error switch
    {
        null => null,
        SQLite.SQLiteException { Result: SQLite.SQLite3.Result.Full } => StorageFault.DiskFull,
        SQLite.SQLiteException { Result: SQLite.SQLite3.Result.Corrupt or SQLite.SQLite3.Result.NonDBFile } => StorageFault.Corrupt,
        SQLite.SQLiteException { Result: SQLite.SQLite3.Result.Busy or SQLite.SQLite3.Result.Locked or SQLite.SQLite3.Result.CannotOpen } => StorageFault.Unavailable,
        AggregateException aggregate => aggregate.InnerExceptions.Select(Of).FirstOrDefault(fault => fault is not null),
        _ => WriteOutcomes.FaultOf(error) ?? Of(error.InnerException),
    };
}
