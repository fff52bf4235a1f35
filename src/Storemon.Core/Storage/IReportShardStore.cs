using NodaTime;
using Storemon.Engine;
using Storemon.Reports;

namespace Storemon.Storage;

/// <summary>One part of a report: the stores whose external id is in [<see cref="FromStoreId"/>, <see cref="ToStoreId"/>) by ordinal order (null: unbounded).</summary>
public sealed record ShardPlan(int Index, string? FromStoreId, string? ToStoreId);

/// <summary>A shard claimed for computing, with everything needed to compute it in another process.</summary>
public sealed record ShardWork(
    string ReportId, int Attempt, int Index, string? FromStoreId, string? ToStoreId,
    string Snapshot, Instant AsOf, Interpolation Interpolation, Duration? MaxGap, int ShardCount);

/// <summary>How far a report's shards are.</summary>
public readonly record struct ShardProgress(int ShardsDone, int Shards, int StoresDone);

/// <summary>A snapshot that other connections, in other processes, can open too while it stays open.</summary>
public interface IExportedSnapshot : IReportSnapshot
{
    /// <summary>The id by which <see cref="ISharedSnapshots.OpenSnapshot(string)"/> opens this same snapshot.</summary>
    string Id { get; }
}

/// <summary>
/// Snapshots shared between connections: what lets several workers compute the shards of one report
/// from exactly the same data. PostgreSQL has them (an exported snapshot); a SQLite file does not.
/// </summary>
public interface ISharedSnapshots
{
    /// <summary>Opens a read of one consistent snapshot, as <see cref="IMonitoringStore.OpenSnapshot"/> does, and exports it.</summary>
    IExportedSnapshot OpenExportedSnapshot();

    /// <summary>Opens a read of the snapshot that an open <see cref="IExportedSnapshot"/> named <paramref name="sharedSnapshot"/>.</summary>
    IReportSnapshot OpenSnapshot(string sharedSnapshot);
}

/// <summary>
/// The shards of reports split across workers. A report's attempt plans its shards (replacing any of
/// an earlier attempt), workers claim them one at a time, and the report is complete when every shard
/// is: its CSV is the shards' CSVs in order. Every change is one statement, like the report's own.
/// </summary>
public interface IReportShardStore
{
    /// <summary>Replaces the report's shards with the plan of this attempt, all Pending.</summary>
    void PlanShards(string reportId, int attempt, string snapshot, Instant asOf, IReadOnlyList<ShardPlan> shards);

    /// <summary>
    /// Claims one shard of the report's current attempt that is Pending, or Running without a heartbeat
    /// since <paramref name="staleBefore"/> (its worker died); null when there is none, the report is not
    /// Running, or its current attempt is not <paramref name="attempt"/> (when given: the report's own
    /// worker computes shards of its own snapshot only).
    /// </summary>
    ShardWork? TryClaimShard(string reportId, Instant now, Instant staleBefore, int? attempt = null);

    /// <summary>
    /// Records a shard's progress, which is also its heartbeat; false (nothing changed) when the shard is
    /// no longer Running in a report still Running in <paramref name="attempt"/>: another worker finished
    /// it, the report failed or completed, or it was run again. Its worker can stop.
    /// </summary>
    bool ShardHeartbeat(string reportId, int attempt, int index, int storesDone, Instant now);

    /// <summary>Stores the shard's CSV and marks it done, with its rows and the poll rows it read (<paramref name="shard"/>).</summary>
    void CompleteShard(string reportId, int attempt, int index, ReportSummary shard, ReadOnlySpan<byte> csv, Instant now);

    ShardProgress ShardProgress(string reportId, int attempt);

    /// <summary>
    /// Joins the shards' CSVs in order into the report's CSV and marks the report Complete with the
    /// sum of their rows and poll rows, the latest poll of the report's snapshot and this process's tz
    /// database, in one transaction; the shards are deleted. Only while the report is Running
    /// in <paramref name="attempt"/> with every shard of it done: false (and nothing changed) otherwise,
    /// as for a worker taken for dead whose report was run again meanwhile.
    /// </summary>
    bool CompleteReportFromShards(string reportId, int attempt, Instant asOf, Instant? latestPoll, Instant now);
}
