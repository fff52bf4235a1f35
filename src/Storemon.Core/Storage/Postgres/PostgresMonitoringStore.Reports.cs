using System.Data;
using Npgsql;
using NpgsqlTypes;
using NodaTime;
using Storemon.Engine;
using Storemon.Reports;

namespace Storemon.Storage.Postgres;

/// <summary>The report records and their CSV, in the same PostgreSQL database as the data.</summary>
public sealed partial class PostgresMonitoringStore
{
    public void CreateReport(ReportRecord report)
    {
        ArgumentNullException.ThrowIfNull(report);
        using var connection = _dataSource.OpenConnection();
        Execute(connection, ReportSql.Create,
            Text("id", report.Id), Text("status", report.Status.ToString()), Timestamp("requested", report.Request.AsOf),
            Text("interpolation", report.Request.Interpolation.ToString()), Timestamp("created", report.CreatedAt), Timestamp("heartbeat", report.HeartbeatAt),
            new NpgsqlParameter("maxGap", NpgsqlDbType.Bigint) { Value = (object?)ReportSql.MaxGapMicroseconds(report.Request) ?? DBNull.Value });
    }

    public void MarkQueued(string id)
    {
        using var connection = _dataSource.OpenConnection();
        Execute(connection, ReportSql.MarkQueued, Text("id", id));
    }

    // The CSV goes with its record (ON DELETE CASCADE).
    public void WithdrawReport(string id)
    {
        using var connection = _dataSource.OpenConnection();
        Execute(connection, ReportSql.Withdraw, Text("id", id));
    }

    public ReportRecord? FindReport(string id)
    {
        using var connection = _dataSource.OpenConnection();
        using var select = new NpgsqlCommand(ReportSql.Find, connection);
        select.Parameters.Add(Text("id", id));
        using var reader = select.ExecuteReader();
        return ReportSql.ReadAll(reader, InstantAt).SingleOrDefault();
    }

    public IReadOnlyList<ReportRecord> ListReports(int offset, int limit)
    {
        using var connection = _dataSource.OpenConnection();
        using var select = new NpgsqlCommand(ReportSql.List, connection);
        select.Parameters.Add(new NpgsqlParameter<int>("limit", NpgsqlDbType.Integer) { TypedValue = limit });
        select.Parameters.Add(new NpgsqlParameter<int>("offset", NpgsqlDbType.Integer) { TypedValue = offset });
        using var reader = select.ExecuteReader();
        return ReportSql.ReadAll(reader, InstantAt);
    }

    // One UPDATE: under READ COMMITTED a second claimant waits for the first and then re-checks the
    // condition on the row the first wrote, so exactly one of them gets the report.
    public ReportRecord? TryStartReport(string id, Instant now, Instant staleBefore) =>
        Claim(ReportSql.Start, Text("id", id), Timestamp("now", now), Timestamp("stale", staleBefore));

    public ReportRecord? RetakeReport(string id, int attempt, Instant now) =>
        Claim(ReportSql.Retake, Text("id", id), Integer("attempt", attempt), Timestamp("now", now));

    /// <summary>A claim's UPDATE … RETURNING: the record as claimed, or null.</summary>
    private ReportRecord? Claim(string sql, params NpgsqlParameter[] parameters)
    {
        using var connection = _dataSource.OpenConnection();
        using var update = new NpgsqlCommand(sql, connection);
        update.Parameters.AddRange(parameters);
        using var reader = update.ExecuteReader();
        return ReportSql.ReadAll(reader, InstantAt).SingleOrDefault();
    }

    public bool ReportProgress(string id, int attempt, int storesDone, int storesTotal, Instant now) =>
        ExecuteReportUpdate(ReportSql.Progress, id, now, Integer("attempt", attempt), Integer("done", storesDone), Integer("total", storesTotal)) == 1;

    public bool CompleteReport(string id, int attempt, ReportSummary summary, ReadOnlySpan<byte> csv, Instant now)
    {
        using var connection = _dataSource.OpenConnection();
        using var transaction = connection.BeginTransaction();
        // The record first: its row lock orders this against a claim of the report by another runner.
        if (Execute(connection, ReportSql.Complete,
                Text("id", id), Integer("attempt", attempt), Timestamp("asOf", summary.AsOf), Integer("rows", summary.Stores), Timestamp("now", now),
                new NpgsqlParameter<long>("pollRows", NpgsqlDbType.Bigint) { TypedValue = summary.PollRows }, Timestamp("latestPoll", summary.LatestPoll),
                Text("tzdb", ReportProvenance.CurrentTzdbVersion)) != 1)
        {
            return false;
        }
        Execute(connection, """
            INSERT INTO report_csv (report_id, content) VALUES (@id, @content)
            ON CONFLICT (report_id) DO UPDATE SET content = excluded.content
            """,
            Text("id", id), new NpgsqlParameter<byte[]>("content", NpgsqlDbType.Bytea) { TypedValue = csv.ToArray() });
        transaction.Commit();
        return true;
    }

    public bool FailReport(string id, int attempt, string reason, Instant now) =>
        ExecuteReportUpdate(ReportSql.Fail, id, now, Integer("attempt", attempt), Text("error", reason)) == 1;

    public Stream? OpenReportCsv(string id)
    {
        var connection = _dataSource.OpenConnection();
        NpgsqlCommand? select = null;
        NpgsqlDataReader? reader = null;
        try
        {
            select = new NpgsqlCommand("SELECT content FROM report_csv WHERE report_id = @id", connection);
            select.Parameters.Add(Text("id", id));
            // Sequential access streams the value from the socket as it is read, instead of buffering it whole.
            reader = select.ExecuteReader(CommandBehavior.SequentialAccess);
            if (!reader.Read())
            {
                reader.Dispose();
                select.Dispose();
                connection.Dispose();
                return null;
            }
            return new OwningStream(reader.GetStream(0), reader, select, connection);
        }
        catch
        {
            reader?.Dispose();
            select?.Dispose();
            connection.Dispose();
            throw;
        }
    }

    public int ReleaseRunningReports()
    {
        using var connection = _dataSource.OpenConnection();
        return Execute(connection, ReportSql.Release);
    }

    public WaitingReports WaitingReports()
    {
        using var connection = _dataSource.OpenConnection();
        using var select = new NpgsqlCommand(ReportSql.Waiting, connection);
        using var reader = select.ExecuteReader();
        return ReportSql.ReadWaiting(reader, InstantAt);
    }

    public IReadOnlyList<string> StaleReports(Instant staleBefore)
    {
        using var connection = _dataSource.OpenConnection();
        using var select = new NpgsqlCommand(ReportSql.Stale, connection);
        select.Parameters.Add(Timestamp("stale", staleBefore));
        using var reader = select.ExecuteReader();
        return ReportSql.ReadIds(reader);
    }

    // The CSV goes with its record (ON DELETE CASCADE); the count is of reports only.
    public int PruneReports(Instant finishedBefore)
    {
        using var connection = _dataSource.OpenConnection();
        return Execute(connection, $"DELETE FROM report WHERE {ReportSql.Prunable}", Timestamp("before", finishedBefore));
    }

    private int ExecuteReportUpdate(string sql, string id, Instant now, params NpgsqlParameter[] parameters)
    {
        using var connection = _dataSource.OpenConnection();
        return Execute(connection, sql, [Text("id", id), Timestamp("now", now), .. parameters]);
    }

    private static readonly Func<System.Data.Common.DbDataReader, int, Instant> InstantAt =
        static (reader, column) => InstantOf(reader.GetFieldValue<DateTime>(column));

    private static NpgsqlParameter<string> Text(string name, string value) => new NpgsqlParameter<string>(name, NpgsqlDbType.Text) { TypedValue = value };

    private static NpgsqlParameter<int> Integer(string name, int value) => new NpgsqlParameter<int>(name, NpgsqlDbType.Integer) { TypedValue = value };

    private static NpgsqlParameter Timestamp(string name, Instant? value) => value is { } instant
        ? new NpgsqlParameter<DateTime>(name, NpgsqlDbType.TimestampTz) { TypedValue = DateTimeOf(instant) }
        : new NpgsqlParameter(name, NpgsqlDbType.TimestampTz) { Value = DBNull.Value };
}
