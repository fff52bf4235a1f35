using Hangfire;
using Microsoft.Extensions.Options;
using NodaTime;
using Storemon.Api.Storage;
using Storemon.Reports;
using Storemon.Storage;

namespace Storemon.Api.Reports;

/// <summary>
/// Makes sure no report stays Pending or Running forever, and prunes old ones.
/// </summary>
/// <remarks>
/// At start on SQLite, this process is the only one using the database, so a report still marked
/// Running was being run by a process that is gone: it goes back to Pending, and every Pending report
/// is enqueued again (a report already in Hangfire's queue then runs once; the second run finds it
/// finished). On PostgreSQL other workers may be running reports right now, so only the heartbeat
/// tells an abandoned report. Afterwards, every half minute (in every process that runs jobs), reports whose heartbeat stopped for longer than
/// <see cref="ReportOptions.StaleAfter"/> are enqueued again, and finished reports older than the
/// retention are deleted.
/// </remarks>
internal sealed partial class ReportRecovery(
    IReportStore reports, ReportJobs jobs, IBackgroundJobClient client, IClock clock,
    IOptions<ReportOptions> options, IOptions<DatabaseOptions> database, ILogger<ReportRecovery> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Often enough that an abandoned report waits at most about half its stale time more.
        var interval = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(30).Ticks, options.Value.StaleAfter.Ticks / 2));
        if (database.Value.IsPostgres)
        {
            Requeue(jobs.Abandoned(), 0);
        }
        else
        {
            var released = reports.ReleaseRunningReports();
            Requeue(reports.StaleReports(clock.GetCurrentInstant() + Duration.FromSeconds(1)), released);
        }

        using var timer = new PeriodicTimer(interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                Requeue(jobs.Abandoned(), 0);
                var pruned = reports.PruneReports(clock.GetCurrentInstant() - Duration.FromTimeSpan(options.Value.Retention));
                if (pruned > 0)
                {
                    LogPruned(pruned);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogRecoveryFailed(e);
            }
        }
    }

    private void Requeue(IReadOnlyList<string> ids, int released)
    {
        foreach (var id in ids)
        {
            ReportJob.Enqueue(client, id);
        }
        if (ids.Count > 0)
        {
            LogRequeued(ids.Count, released);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Enqueued {Count} unfinished reports again ({Released} had been left Running by a stopped process)")]
    private partial void LogRequeued(int count, int released);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pruned {Count} reports past their retention")]
    private partial void LogPruned(int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Report recovery failed; trying again later")]
    private partial void LogRecoveryFailed(Exception exception);
}
