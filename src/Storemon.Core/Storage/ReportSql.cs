using System.Data.Common;
using NodaTime;
using Storemon.Engine;
using Storemon.Reports;

namespace Storemon.Storage;

/// <summary>
/// The statements on report records, the same text for SQLite and PostgreSQL (both take <c>@name</c>
/// parameters); each database binds instants its own way (microseconds, or timestamptz).
/// </summary>
internal static class ReportSql
{
    public const string Columns = """
        id, status, requested_as_of, interpolation, created_at, started_at, finished_at, as_of,
        stores_done, stores_total, row_count, error, attempts, heartbeat_at, max_gap_us, poll_rows, latest_poll, tzdb_version
        """;

    /// <summary>
    /// A new record; its <c>heartbeat_at</c> is null until its run is queued (<see cref="MarkQueued"/>), and a
    /// report not queued is neither listed nor run again by the recovery: its trigger may have failed.
    /// </summary>
    public const string Create = """
        INSERT INTO report (id, status, requested_as_of, interpolation, max_gap_us, created_at, heartbeat_at)
        VALUES (@id, @status, @requested, @interpolation, @maxGap, @created, @heartbeat)
        """;

    public const string MarkQueued = "UPDATE report SET heartbeat_at = created_at WHERE id = @id AND heartbeat_at IS NULL";

    public const string Withdraw = "DELETE FROM report WHERE id = @id";

    public const string Find = $"SELECT {Columns} FROM report WHERE id = @id";

    public const string List = $"SELECT {Columns} FROM report WHERE heartbeat_at IS NOT NULL ORDER BY created_at DESC, id LIMIT @limit OFFSET @offset";

    /// <summary>
    /// The claim: one UPDATE, so two runners can never both take a report; it returns the record as
    /// claimed, whose attempt is the run's own (read apart, another claim could come in between).
    /// </summary>
    public const string Start = $"""
        UPDATE report SET status = 'Running', started_at = @now, heartbeat_at = @now, attempts = attempts + 1,
                          stores_done = 0, error = NULL
        WHERE id = @id AND (status = 'Pending' OR (status = 'Running' AND heartbeat_at < @stale))
        RETURNING {Columns}
        """;

    /// <summary>
    /// The claim of a report again by the run of <c>@attempt</c>, which stopped because the database did
    /// not answer: a new attempt, as <see cref="Start"/> gives, only while nobody else has claimed it since.
    /// </summary>
    public const string Retake = $"""
        UPDATE report SET started_at = @now, heartbeat_at = @now, attempts = attempts + 1, stores_done = 0, error = NULL
        WHERE id = @id AND status = 'Running' AND attempts = @attempt
        RETURNING {Columns}
        """;

    // Progress, completion and failure come from the run that claimed the report, named by its attempt:
    // a runner taken for dead whose report was claimed again changes nothing, whatever it does later.
    private const string OfThisRun = "WHERE id = @id AND status = 'Running' AND attempts = @attempt";

    public const string Progress = $"""
        UPDATE report SET stores_done = @done, stores_total = @total, heartbeat_at = @now
        {OfThisRun}
        """;

    public const string Complete = $"""
        UPDATE report SET status = 'Complete', as_of = @asOf, row_count = @rows, stores_done = @rows,
                          stores_total = @rows, finished_at = @now, heartbeat_at = @now, error = NULL,
                          poll_rows = @pollRows, latest_poll = @latestPoll, tzdb_version = @tzdb
        {OfThisRun}
        """;

    public const string Fail = $"UPDATE report SET status = 'Failed', error = @error, finished_at = @now, heartbeat_at = @now {OfThisRun}";

    public const string Release = "UPDATE report SET status = 'Pending' WHERE status = 'Running'";

    /// <summary>A staleness limit as stored: microseconds, or null for none.</summary>
    public static long? MaxGapMicroseconds(ReportRequest request) => request.MaxGap?.BclCompatibleTicks / Poll.TicksPerMicrosecond;

    /// <summary>Finished reports, and reports never queued (their trigger failed), older than <c>@before</c>.</summary>
    public const string Prunable = "finished_at < @before OR (heartbeat_at IS NULL AND created_at < @before)";

    public const string Stale = "SELECT id FROM report WHERE status IN ('Pending', 'Running') AND heartbeat_at < @stale ORDER BY created_at";

    /// <summary>The first column of every row, as text: the report ids of <see cref="Stale"/>, or store ids.</summary>
    /// <summary>Queued reports that no worker has taken yet: how many, and when the oldest was triggered.</summary>
    public const string Waiting = "SELECT count(*), min(created_at) FROM report WHERE status = 'Pending' AND heartbeat_at IS NOT NULL";

    /// <summary>The row of <see cref="Waiting"/>, its instant read by <paramref name="instantAt"/>.</summary>
    public static WaitingReports ReadWaiting(DbDataReader reader, Func<DbDataReader, int, Instant> instantAt)
    {
        reader.Read();
        var count = Convert.ToInt32(reader.GetInt64(0));
        return new WaitingReports(count, count == 0 ? null : instantAt(reader, 1));
    }

    public static List<string> ReadIds(DbDataReader reader)
    {
        var ids = new List<string>();
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }
        return ids;
    }

    /// <summary>
    /// The records of a query on <see cref="Columns"/>, in its order; <paramref name="instantAt"/> reads
    /// an instant column as the database stores it.
    /// </summary>
    public static List<ReportRecord> ReadAll(DbDataReader reader, Func<DbDataReader, int, Instant> instantAt)
    {
        var reports = new List<ReportRecord>();
        while (reader.Read())
        {
            Instant? At(int column) => reader.IsDBNull(column) ? null : instantAt(reader, column);
            reports.Add(new ReportRecord(
                reader.GetString(0),
                Enum.Parse<ReportStatus>(reader.GetString(1)),
                new ReportRequest(At(2), Enum.Parse<Interpolation>(reader.GetString(3)),
                    reader.IsDBNull(14) ? null : Duration.FromTicks(reader.GetInt64(14) * Poll.TicksPerMicrosecond)),
                instantAt(reader, 4),
                At(5),
                At(6),
                At(7),
                reader.GetInt32(8),
                reader.GetInt32(9),
                reader.IsDBNull(10) ? null : reader.GetInt32(10),
                reader.IsDBNull(11) ? null : reader.GetString(11),
                reader.GetInt32(12),
                At(13),
                reader.IsDBNull(15) ? null : reader.GetInt64(15),
                At(16),
                reader.IsDBNull(17) ? null : reader.GetString(17)));
        }
        return reports;
    }
}
