using System.ComponentModel.DataAnnotations;

namespace Storemon.Api.Health;

/// <summary>How /health checks what costs more than a trivial query.</summary>
public sealed class HealthOptions
{
    public const string Section = "Health";

    /// <summary>
    /// How long the write probe's and the job server's answers are reused: a load balancer polling every
    /// second costs the database one committed write (and one read of the job servers) per this period.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan CacheFor { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A job server whose last heartbeat is older than this has stopped (its job queue cannot be written,
    /// or it is being restarted). It beats every <see cref="JobServerCheck.HeartbeatInterval"/>; the default
    /// lets three beats in a row be late or lost before the server is called stopped, well before
    /// Hangfire's own limit (5 minutes) after which it restarts the server or removes it.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "01:00:00")]
    public TimeSpan JobHeartbeatLimit { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// A queued report that no worker has taken for longer than this makes the part <c>jobs</c> Degraded,
    /// whatever the servers' heartbeats say: the workers are all busy, or stuck on a job. A report takes
    /// seconds, even at ten times the platform's data, so the default is far beyond a burst of triggers.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan QueueWaitLimit { get; set; } = TimeSpan.FromMinutes(5);
}
