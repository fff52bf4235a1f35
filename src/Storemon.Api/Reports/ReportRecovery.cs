using Microsoft.Extensions.Options;
using Storemon.Api.Storage;
using Storemon.Reports;

namespace Storemon.Api.Reports;

/// <summary>
/// Makes sure no report stays Pending or Running forever, and prunes old ones, in every process that
/// runs jobs: at start (<see cref="ReportJobs.RecoverAtStart"/>), then every
/// <see cref="ReportOptions.RecoveryInterval"/> on the injected <see cref="TimeProvider"/>
/// (<see cref="ReportJobs.Recover"/>).
/// </summary>
internal sealed partial class ReportRecovery(
    ReportJobs jobs, TimeProvider time, IOptions<ReportOptions> options, IOptions<DatabaseOptions> database, ILogger<ReportRecovery> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A SQLite file serves this process alone; a PostgreSQL database may have workers elsewhere.
        jobs.RecoverAtStart(onlyProcess: !database.Value.IsPostgres);
        using var timer = new PeriodicTimer(options.Value.RecoveryInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                jobs.Recover();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogRecoveryFailed(e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Report recovery failed; trying again later")]
    private partial void LogRecoveryFailed(Exception exception);
}
