using NodaTime;
using Storemon.Reports;

namespace Storemon.Storage;

/// <summary>Where a report is in its life: Pending → Running → Complete | Failed.</summary>
public enum ReportStatus
{
    Pending,
    Running,
    Complete,
    Failed,
}

/// <summary>Queued reports no worker has taken yet: <see cref="Count"/>, the oldest triggered at <see cref="Oldest"/> (null when none).</summary>
public sealed record WaitingReports(int Count, Instant? Oldest);

/// <summary>
/// A report's own record: what was asked, where it is, what it produced, and once complete what it
/// was computed from (<see cref="PollRows"/>, <see cref="LatestPoll"/>, <see cref="TzdbVersion"/>: see
/// <see cref="Provenance"/>).
/// </summary>
public sealed record ReportRecord(
    string Id,
    ReportStatus Status,
    ReportRequest Request,
    Instant CreatedAt,
    Instant? StartedAt = null,
    Instant? FinishedAt = null,
    Instant? AsOf = null,
    int StoresDone = 0,
    int StoresTotal = 0,
    int? RowCount = null,
    string? Error = null,
    int Attempts = 0,
    Instant? HeartbeatAt = null,
    long? PollRows = null,
    Instant? LatestPoll = null,
    string? TzdbVersion = null)
{
    /// <summary>What the complete report was computed from; null until it is complete.</summary>
    public ReportProvenance? Provenance => Status == ReportStatus.Complete
        ? new ReportProvenance(AsOf, Request.AsOf is not null, Request.Interpolation, Request.MaxGap, TzdbVersion ?? "", RowCount ?? 0, PollRows ?? 0, LatestPoll)
        : null;
}

/// <summary>
/// The service's record of reports and their CSV, kept in the same database as the data. Every
/// change of state is one statement, so a process that dies leaves a record in a known state.
/// </summary>
public interface IReportStore
{
    /// <summary>
    /// Records a new report. With <see cref="ReportRecord.HeartbeatAt"/> null it is not queued yet (see
    /// <see cref="MarkQueued"/>): not listed, and never run by the recovery, only by a job that names it.
    /// </summary>
    void CreateReport(ReportRecord report);

    /// <summary>The report's run is queued: it is listed, and run again by the recovery should its job be lost.</summary>
    void MarkQueued(string id);

    /// <summary>Deletes the report (and its CSV): its trigger failed, and its caller never learnt its id.</summary>
    void WithdrawReport(string id);

    ReportRecord? FindReport(string id);

    /// <summary>Reports newest first.</summary>
    IReadOnlyList<ReportRecord> ListReports(int offset, int limit);

    /// <summary>
    /// Claims a report for a run: the report Running with one more attempt (the run's own), as claimed,
    /// when it was Pending, or Running without a heartbeat since <paramref name="staleBefore"/> (its
    /// runner died); null when it was not claimed.
    /// </summary>
    ReportRecord? TryStartReport(string id, Instant now, Instant staleBefore);

    /// <summary>
    /// Claims the report again for the run of <paramref name="attempt"/>, which the database stopped: a new
    /// attempt, as claimed, when the report is still Running in that attempt; null when someone else has
    /// claimed it meanwhile (or it ended).
    /// </summary>
    ReportRecord? RetakeReport(string id, int attempt, Instant now);

    // The next three are the run's own: each changes the report only while it is Running in the
    // run's attempt (the count after its claim), and says whether it did. A runner taken for dead, whose
    // report was claimed again, learns from false that it should stop.

    /// <summary>Records progress, which is also the running report's heartbeat.</summary>
    bool ReportProgress(string id, int attempt, int storesDone, int storesTotal, Instant now);

    /// <summary>Stores the CSV and marks the report Complete with what it was computed from (<paramref name="summary"/>, and this process's tz database), in one transaction.</summary>
    bool CompleteReport(string id, int attempt, ReportSummary summary, ReadOnlySpan<byte> csv, Instant now);

    /// <summary>Marks the report Failed with the reason.</summary>
    bool FailReport(string id, int attempt, string reason, Instant now);

    /// <summary>The CSV of a complete report, streamed from the database; null when there is none.</summary>
    Stream? OpenReportCsv(string id);

    /// <summary>
    /// Puts every Running report back to Pending: for a single process at start, when no report can
    /// still be running (the process that ran it is gone). Returns how many.
    /// </summary>
    int ReleaseRunningReports();

    /// <summary>The queued reports that no worker has taken yet (Pending): how many, and when the oldest was triggered.</summary>
    WaitingReports WaitingReports();

    /// <summary>Ids of queued reports that are Pending or Running but whose last heartbeat (or queuing) is before <paramref name="staleBefore"/>.</summary>
    IReadOnlyList<string> StaleReports(Instant staleBefore);

    /// <summary>
    /// Deletes finished reports (and their CSV) finished before <paramref name="finishedBefore"/>, and
    /// reports never queued (their trigger failed) created before it; returns how many.
    /// </summary>
    int PruneReports(Instant finishedBefore);
}
