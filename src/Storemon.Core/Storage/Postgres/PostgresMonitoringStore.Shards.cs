using Npgsql;
using NpgsqlTypes;
using NodaTime;
using Storemon.Engine;
using Storemon.Reports;

namespace Storemon.Storage.Postgres;

/// <summary>The shards of reports split across workers (see ReportJobs' sharded run).</summary>
public sealed partial class PostgresMonitoringStore : IReportShardStore
{
    public void PlanShards(string reportId, int attempt, string snapshot, Instant asOf, IReadOnlyList<ShardPlan> shards)
    {
        ArgumentNullException.ThrowIfNull(shards);
        using var connection = _dataSource.OpenConnection();
        using var transaction = connection.BeginTransaction();
        Execute(connection, "DELETE FROM report_shard WHERE report_id = @id", Text("id", reportId));
        using var insert = new NpgsqlCommand("""
            INSERT INTO report_shard (report_id, shard_index, shard_count, attempt, from_store_id, to_store_id, snapshot, as_of, status)
            VALUES (@id, @index, @count, @attempt, @from, @to, @snapshot, @asOf, 'Pending')
            """, connection);
        var index = Integer("index", 0);
        var from = new NpgsqlParameter("from", NpgsqlDbType.Text);
        var to = new NpgsqlParameter("to", NpgsqlDbType.Text);
        insert.Parameters.AddRange(new NpgsqlParameter[] { Text("id", reportId), index, Integer("count", shards.Count), Integer("attempt", attempt), from, to,
            Text("snapshot", snapshot), Timestamp("asOf", asOf) });
        foreach (var shard in shards)
        {
            index.TypedValue = shard.Index;
            from.Value = (object?)shard.FromStoreId ?? DBNull.Value;
            to.Value = (object?)shard.ToStoreId ?? DBNull.Value;
            insert.ExecuteNonQuery();
        }
        transaction.Commit();
    }

    // One statement: SKIP LOCKED lets claimants pass each other, and the UPDATE re-checks the shard's state
    // on the row as committed, so a shard is handed to one worker at a time.
    public ShardWork? TryClaimShard(string reportId, Instant now, Instant staleBefore, int? attempt = null)
    {
        using var connection = _dataSource.OpenConnection();
        using var claim = new NpgsqlCommand("""
            WITH pick AS (
                SELECT s.report_id, s.shard_index
                FROM report_shard AS s JOIN report AS r ON r.id = s.report_id
                WHERE s.report_id = @id AND r.status = 'Running' AND s.attempt = r.attempts
                  AND (CAST(@attempt AS integer) IS NULL OR s.attempt = @attempt)
                  AND (s.status = 'Pending' OR (s.status = 'Running' AND s.heartbeat_at < @stale))
                ORDER BY s.shard_index
                LIMIT 1
                FOR UPDATE OF s SKIP LOCKED)
            UPDATE report_shard AS s SET status = 'Running', heartbeat_at = @now, stores_done = 0
            FROM pick, report AS r
            WHERE s.report_id = pick.report_id AND s.shard_index = pick.shard_index AND r.id = s.report_id
              AND (s.status = 'Pending' OR (s.status = 'Running' AND s.heartbeat_at < @stale))
            RETURNING s.attempt, s.shard_index, s.from_store_id, s.to_store_id, s.snapshot, s.as_of, r.interpolation, s.shard_count, r.max_gap_us
            """, connection);
        claim.Parameters.AddRange(new NpgsqlParameter[]
        {
            Text("id", reportId), Timestamp("now", now), Timestamp("stale", staleBefore),
            new("attempt", NpgsqlDbType.Integer) { Value = (object?)attempt ?? DBNull.Value },
        });
        using var reader = claim.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }
        return new ShardWork(
            reportId, reader.GetInt32(0), reader.GetInt32(1),
            reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
            reader.GetString(4), InstantOf(reader.GetFieldValue<DateTime>(5)), Enum.Parse<Interpolation>(reader.GetString(6)),
            reader.IsDBNull(8) ? null : Duration.FromTicks(reader.GetInt64(8) * Poll.TicksPerMicrosecond), reader.GetInt32(7));
    }

    public bool ShardHeartbeat(string reportId, int attempt, int index, int storesDone, Instant now)
    {
        using var connection = _dataSource.OpenConnection();
        return Execute(connection, """
            UPDATE report_shard SET stores_done = @done, heartbeat_at = @now
            WHERE report_id = @id AND attempt = @attempt AND shard_index = @index AND status = 'Running'
              AND EXISTS (SELECT 1 FROM report AS r WHERE r.id = @id AND r.status = 'Running' AND r.attempts = @attempt)
            """, Text("id", reportId), Integer("attempt", attempt), Integer("index", index), Integer("done", storesDone), Timestamp("now", now)) == 1;
    }

    // A shard taken over from a worker that was slow rather than dead may be completed twice; both
    // computed it from the same snapshot, so the second write is the same bytes.
    public void CompleteShard(string reportId, int attempt, int index, ReportSummary shard, ReadOnlySpan<byte> csv, Instant now)
    {
        ArgumentNullException.ThrowIfNull(shard);
        using var connection = _dataSource.OpenConnection();
        Execute(connection, """
            UPDATE report_shard SET status = 'Done', content = @content, row_count = @rows, poll_rows = @pollRows, stores_done = @rows, heartbeat_at = @now
            WHERE report_id = @id AND attempt = @attempt AND shard_index = @index
            """, Text("id", reportId), Integer("attempt", attempt), Integer("index", index), Integer("rows", shard.Stores),
            new NpgsqlParameter<long>("pollRows", NpgsqlDbType.Bigint) { TypedValue = shard.PollRows },
            new NpgsqlParameter<byte[]>("content", NpgsqlDbType.Bytea) { TypedValue = csv.ToArray() }, Timestamp("now", now));
    }

    public ShardProgress ShardProgress(string reportId, int attempt)
    {
        using var connection = _dataSource.OpenConnection();
        using var select = new NpgsqlCommand("""
            SELECT count(*) FILTER (WHERE status = 'Done'), count(*), coalesce(sum(stores_done), 0)
            FROM report_shard WHERE report_id = @id AND attempt = @attempt
            """, connection);
        select.Parameters.AddRange(new NpgsqlParameter[] { Text("id", reportId), Integer("attempt", attempt) });
        using var reader = select.ExecuteReader();
        reader.Read();
        return new ShardProgress((int)reader.GetInt64(0), (int)reader.GetInt64(1), (int)reader.GetInt64(2));
    }

    // The CSVs are joined inside the database, in shard order: the report's CSV never crosses the network twice.
    public bool CompleteReportFromShards(string reportId, int attempt, Instant asOf, Instant? latestPoll, Instant now)
    {
        using var connection = _dataSource.OpenConnection();
        using var transaction = connection.BeginTransaction();
        using var complete = new NpgsqlCommand("""
            UPDATE report SET status = 'Complete', as_of = @asOf, finished_at = @now, heartbeat_at = @now, error = NULL,
                              row_count = d.rows, stores_done = d.rows, stores_total = d.rows,
                              poll_rows = d.poll_rows, latest_poll = @latestPoll, tzdb_version = @tzdb
            FROM (SELECT sum(row_count) AS rows, sum(poll_rows) AS poll_rows FROM report_shard WHERE report_id = @id AND attempt = @attempt) AS d
            WHERE id = @id AND status = 'Running' AND attempts = @attempt
              AND EXISTS (SELECT 1 FROM report_shard WHERE report_id = @id AND attempt = @attempt)
              AND NOT EXISTS (SELECT 1 FROM report_shard WHERE report_id = @id AND attempt = @attempt AND status <> 'Done')
            """, connection);
        complete.Parameters.AddRange(new NpgsqlParameter[]
        {
            Text("id", reportId), Integer("attempt", attempt), Timestamp("asOf", asOf), Timestamp("now", now),
            Timestamp("latestPoll", latestPoll), Text("tzdb", ReportProvenance.CurrentTzdbVersion),
        });
        if (complete.ExecuteNonQuery() != 1)
        {
            transaction.Rollback();
            return false;
        }
        using var join = new NpgsqlCommand("""
            INSERT INTO report_csv (report_id, content)
            SELECT @id, string_agg(content, ''::bytea ORDER BY shard_index) FROM report_shard WHERE report_id = @id AND attempt = @attempt
            ON CONFLICT (report_id) DO UPDATE SET content = excluded.content;
            """, connection);
        join.Parameters.AddRange(new NpgsqlParameter[] { Text("id", reportId), Integer("attempt", attempt) });
        join.ExecuteNonQuery();
        Execute(connection, "DELETE FROM report_shard WHERE report_id = @id", Text("id", reportId));
        transaction.Commit();
        return true;
    }
}
