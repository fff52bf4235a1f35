using NodaTime;
using Storemon.Reports;
using Storemon.Storage;

namespace Storemon.Tests.Workers;

/// <summary>
/// The real report and shard records, with <paramref name="stall"/> run inside the first heartbeat of
/// a run, the report's or a shard's, and <paramref name="retaking"/> (if any) before each claim of a
/// report again by a run that the database stopped.
/// </summary>
internal sealed class StallsAtFirstHeartbeat(IStoremonDatabase store, Action<string> stall, Action<string>? retaking = null) : IReportStore, IReportShardStore
{
    private readonly IReportStore reports = store;
    // Shard records are PostgreSQL's alone: a SQLite store is wrapped for its report records only.
    private IReportShardStore Shards => (IReportShardStore)store;

    public bool Stalled { get; private set; }

    /// <summary>Each shard heartbeat: its attempt, its shard, and whether it was taken.</summary>
    public List<(int Attempt, int Index, bool Taken)> ShardHeartbeats { get; } = [];

    public bool ReportProgress(string id, int attempt, int storesDone, int storesTotal, Instant now)
    {
        StallOnce(id);
        return reports.ReportProgress(id, attempt, storesDone, storesTotal, now);
    }

    public bool ShardHeartbeat(string reportId, int attempt, int index, int storesDone, Instant now)
    {
        StallOnce(reportId);
        var taken = Shards.ShardHeartbeat(reportId, attempt, index, storesDone, now);
        ShardHeartbeats.Add((attempt, index, taken));
        return taken;
    }

    private void StallOnce(string id)
    {
        if (!Stalled)
        {
            Stalled = true;
            stall(id);
        }
    }

    public void PlanShards(string reportId, int attempt, string snapshot, Instant asOf, IReadOnlyList<ShardPlan> plan) =>
        Shards.PlanShards(reportId, attempt, snapshot, asOf, plan);

    public ShardWork? TryClaimShard(string reportId, Instant now, Instant staleBefore, int? attempt = null) =>
        Shards.TryClaimShard(reportId, now, staleBefore, attempt);

    public void CompleteShard(string reportId, int attempt, int index, ReportSummary shard, ReadOnlySpan<byte> csv, Instant now) =>
        Shards.CompleteShard(reportId, attempt, index, shard, csv, now);

    public ShardProgress ShardProgress(string reportId, int attempt) => Shards.ShardProgress(reportId, attempt);

    public bool CompleteReportFromShards(string reportId, int attempt, Instant asOf, Instant? latestPoll, Instant now) =>
        Shards.CompleteReportFromShards(reportId, attempt, asOf, latestPoll, now);

    public void CreateReport(ReportRecord report) => reports.CreateReport(report);

    public void MarkQueued(string id) => reports.MarkQueued(id);

    public void WithdrawReport(string id) => reports.WithdrawReport(id);

    public ReportRecord? RetakeReport(string id, int attempt, Instant now)
    {
        retaking?.Invoke(id);
        return reports.RetakeReport(id, attempt, now);
    }

    public ReportRecord? FindReport(string id) => reports.FindReport(id);

    public IReadOnlyList<ReportRecord> ListReports(int offset, int limit) => reports.ListReports(offset, limit);

    public ReportRecord? TryStartReport(string id, Instant now, Instant staleBefore) => reports.TryStartReport(id, now, staleBefore);

    public bool CompleteReport(string id, int attempt, ReportSummary summary, ReadOnlySpan<byte> csv, Instant now) =>
        reports.CompleteReport(id, attempt, summary, csv, now);

    public bool FailReport(string id, int attempt, string reason, Instant now) => reports.FailReport(id, attempt, reason, now);

    public Stream? OpenReportCsv(string id) => reports.OpenReportCsv(id);

    public int ReleaseRunningReports() => reports.ReleaseRunningReports();

    public WaitingReports WaitingReports() => reports.WaitingReports();

    public IReadOnlyList<string> StaleReports(Instant staleBefore) => reports.StaleReports(staleBefore);

    public int PruneReports(Instant finishedBefore) => reports.PruneReports(finishedBefore);
}
