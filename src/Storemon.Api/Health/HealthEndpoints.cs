using Hangfire;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Storemon.Api.Storage;
using Storemon.Storage;

namespace Storemon.Api.Health;

/// <summary>
/// /health: the database answers and the job engine has a running server. A load balancer polls it
/// often, so every check is a trivial query whatever the size of the data.
/// </summary>
internal static class HealthEndpoints
{
    public static IHealthChecksBuilder AddStoremonChecks(this IHealthChecksBuilder checks) => checks
        .AddCheck<DatabaseCheck>("database")
        .AddCheck<JobServerCheck>("jobs");

    public static WebApplication MapHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health").AllowAnonymous();
        return app;
    }

    private sealed class DatabaseCheck(IMonitoringStore store) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                store.Ping();
                return Task.FromResult(HealthCheckResult.Healthy());
            }
            catch (Exception e)
            {
                return Task.FromResult(HealthCheckResult.Unhealthy("The database does not answer.", e));
            }
        }
    }

    // The servers counted are those of the shared job queue, in any process. A process that runs jobs
    // itself is broken without one; an API-only process still takes triggers, which wait in the queue
    // for a worker: it stays in service (Degraded answers 200), saying so.
    private sealed class JobServerCheck(JobStorage storage, IOptions<DatabaseOptions> database) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var servers = storage.GetMonitoringApi().Servers();
            return Task.FromResult(servers.Count > 0
                ? HealthCheckResult.Healthy($"{servers.Count} job server(s)")
                : database.Value.Role == ProcessRole.Api
                    ? HealthCheckResult.Degraded("No worker is running: reports wait in the queue until one starts.")
                    : HealthCheckResult.Unhealthy("No job server is running."));
        }
    }
}
