using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Storemon.Api.Storage;
using Storemon.Storage;

namespace Storemon.Api.Health;

/// <summary>
/// The part <c>database</c>: it answers a trivial query (the check stays cheap at any size of data), and no
/// read or write of this process has found its data damaged. Damage does not pass by itself: once seen it
/// is reported until the service restarts (after the database was repaired or restored).
/// </summary>
internal sealed partial class DatabaseCheck(IMonitoringStore store, WriteOutcomes outcomes, IOptions<DatabaseOptions> options, ILogger<DatabaseCheck> logger) : IHealthCheck
{
    public const string Name = "database";

    // Logged when the database stops answering, not at every poll while it does not.
    private volatile bool _failing;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var database = HealthParts.Database(options);
        if (outcomes.Corruption is { } corruption)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy(
                $"{database} is damaged: {(corruption.Kind == WriteKind.Import ? "an import" : "a report run")} found corrupt data at {HealthParts.At(corruption.Since)}. " +
                "Repair it or restore it from a backup, then restart the service (this stays until the restart)."));
        }
        try
        {
            store.Ping();
            _failing = false;
            return Task.FromResult(HealthCheckResult.Healthy($"{database} answers."));
        }
        catch (Exception e)
        {
            if (!_failing)
            {
                _failing = true;
                LogPingFailed(logger, e);
            }
            return Task.FromResult(HealthCheckResult.Unhealthy($"{database} cannot be used: {HealthParts.Cause(e) ?? "the service log says why"}."));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Health: the database does not answer a trivial query")]
    private static partial void LogPingFailed(ILogger logger, Exception error);
}
