using Hangfire;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Storemon.Storage;

namespace Storemon.Api.Health;

/// <summary>/health: the database answers and the job engine has a running server.</summary>
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
                using var snapshot = store.OpenSnapshot();
                snapshot.LatestPoll();
                return Task.FromResult(HealthCheckResult.Healthy());
            }
            catch (Exception e)
            {
                return Task.FromResult(HealthCheckResult.Unhealthy("The database does not answer.", e));
            }
        }
    }

    private sealed class JobServerCheck(JobStorage storage) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var servers = storage.GetMonitoringApi().Servers();
            return Task.FromResult(servers.Count > 0
                ? HealthCheckResult.Healthy($"{servers.Count} job server(s)")
                : HealthCheckResult.Unhealthy("No job server is running."));
        }
    }
}
