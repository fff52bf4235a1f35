using System.ComponentModel.DataAnnotations;

namespace Storemon.Reports;

/// <summary>Report jobs: how many run at once, how long finished reports are kept, when a running one counts as abandoned, how it is split.</summary>
public sealed class ReportOptions
{
    public const string Section = "Reports";

    /// <summary>Reports computed at the same time by this process.</summary>
    [Range(1, 64)]
    public int Workers { get; set; } = 2;

    /// <summary>Finished reports (and their CSV) older than this are deleted.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>A Running report without a heartbeat for this long is taken to have lost its runner and is run again.</summary>
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often the job queue is polled for new reports.</summary>
    public TimeSpan QueuePollInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Store shards one report is split into, computed by as many workers as are free (PostgreSQL only:
    /// the shards share the report's snapshot). 1 computes a report in one piece.
    /// </summary>
    [Range(1, 64)]
    public int Shards { get; set; } = 1;

    /// <summary>
    /// Reports one key may trigger (trigger_report, POST /reports, the pages' form) within
    /// <see cref="TriggerWindow"/>, or one client address when the service runs without keys; 0: no limit.
    /// Each report keeps its CSV for <see cref="Retention"/>, so a client triggering in a loop fills the disk.
    /// </summary>
    [Range(0, int.MaxValue)]
    public int TriggerLimit { get; set; } = 30;

    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan TriggerWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How often abandoned reports are looked for (and old ones pruned): every half minute, or every half
    /// <see cref="StaleAfter"/> when that is shorter, so that an abandoned report waits at most about half
    /// its stale time more.
    /// </summary>
    public TimeSpan RecoveryInterval => TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(30).Ticks, StaleAfter.Ticks / 2));
}
