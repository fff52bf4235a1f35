using Hangfire;
using Hangfire.Storage.Monitoring;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using NodaTime;
using Storemon.Api.Storage;
using Storemon.Storage;

namespace Storemon.Api.Health;

/// <summary>
/// The part <c>jobs</c>: in a process that runs jobs, its own job server is registered and its heartbeat
/// is recent. A server that cannot write to the job queue (its disk full, its database gone) stops
/// beating, while its row stays behind until Hangfire's watchdog removes it, and runs no job meanwhile:
/// "a server exists" is not enough. An API-only process runs no jobs: it is Degraded without any live
/// server in the shared queue (triggers wait there for a worker; it stays in service), not Unhealthy.
/// A report that could not be put in the queue because of its storage (<see cref="WriteKind.JobQueue"/>)
/// makes the part Unhealthy in any process, until a report is queued again.
/// </summary>
internal sealed class JobServerCheck : IHealthCheck
{
    public const string Name = "jobs";

    /// <summary>How often a job server writes its heartbeat (Hangfire's default, set explicitly).</summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(30);

    private readonly Cached<HealthCheckResult> _result;
    private readonly WriteOutcomes _outcomes;

    public JobServerCheck(JobStorage storage, LocalJobServer local, WriteOutcomes outcomes, IReportStore reports, TimeProvider time,
        IOptions<DatabaseOptions> database, IOptions<HealthOptions> options)
    {
        _outcomes = outcomes;
        var limit = options.Value.JobHeartbeatLimit;
        var waitLimit = options.Value.QueueWaitLimit;
        var runsJobs = database.Value.Role != ProcessRole.Api;
        _result = new Cached<HealthCheckResult>(time, options.Value.CacheFor, () =>
        {
            var now = time.GetUtcNow();
            var servers = Check(storage.GetMonitoringApi().Servers(), local, now, limit, runsJobs);
            return servers.Status == HealthStatus.Healthy ? Waiting(servers, reports.WaitingReports(), now, waitLimit) : servers;
        });
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_outcomes.Failing.FirstOrDefault(failure => failure.Kind == WriteKind.JobQueue) is { } queueing
            ? HealthCheckResult.Unhealthy(
                $"Reports cannot be queued {HealthParts.Since(queueing)}: the job queue's storage failed because {HealthParts.Fault(queueing.Fault)}. This clears when a report is queued.")
            : _result.Value);

    private static HealthCheckResult Check(IList<ServerDto> servers, LocalJobServer local, DateTimeOffset now, TimeSpan limit, bool runsJobs)
    {
        TimeSpan Age(ServerDto server) => now - new DateTimeOffset(DateTime.SpecifyKind(server.Heartbeat ?? server.StartedAt, DateTimeKind.Utc));
        var beating = servers.Count(server => Age(server) <= limit);
        if (!runsJobs)
        {
            return beating > 0
                ? HealthCheckResult.Healthy($"{beating} job server(s) take reports from the shared queue.")
                : HealthCheckResult.Degraded("No worker is running: reports wait in the queue until one starts.");
        }
        var own = servers.Where(server => local.Owns(server.Name)).OrderBy(Age).FirstOrDefault();
        if (own is null)
        {
            return HealthCheckResult.Unhealthy("This process's job server is not running: reports are not computed.");
        }
        var age = Age(own);
        return age <= limit
            ? HealthCheckResult.Healthy($"This process's job server runs (last heartbeat {Seconds(age)} s ago).")
            : HealthCheckResult.Unhealthy(
                $"This process's job server stopped: its last heartbeat was {Seconds(age)} s ago (it beats every {Seconds(HeartbeatInterval)} s, " +
                $"and is stopped after {Seconds(limit)} s without one). It cannot write to the job queue: reports are not computed.");
    }

    // Servers that beat but take no report (all busy, or stuck on a job) show in the queue: its oldest report waits.
    private static HealthCheckResult Waiting(HealthCheckResult servers, WaitingReports waiting, DateTimeOffset now, TimeSpan limit)
    {
        if (waiting.Oldest is not { } oldest || now - oldest.ToDateTimeOffset() <= limit)
        {
            return servers;
        }
        var waited = now - oldest.ToDateTimeOffset();
        return HealthCheckResult.Degraded(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{waiting.Count} {(waiting.Count == 1 ? "report waits" : "reports wait")} in the queue, the oldest for {(long)waited.TotalMinutes} min " +
            $"(since {oldest.ToDateTimeOffset():yyyy-MM-dd HH:mm:ss} UTC; more than Health:QueueWaitLimit, {(long)limit.TotalMinutes} min): " +
            $"the job servers beat, but every worker is busy or stuck on a job. {servers.Description}"));
    }

    private static string Seconds(TimeSpan span) => Math.Max(0, (long)span.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// The name this process gives its job server: the machine's name and a random part, so that its server
/// is told from those of other processes on the same queue (Hangfire makes the server's id
/// "name:process id:guid", lower-cased).
/// </summary>
internal sealed class LocalJobServer
{
    public string Name { get; } = $"{Environment.MachineName}.{Guid.NewGuid().ToString("N")[..8]}";

    public bool Owns(string serverId) => serverId.StartsWith(Name.ToLowerInvariant() + ":", StringComparison.Ordinal);
}
