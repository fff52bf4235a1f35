using Microsoft.Data.Sqlite;
using NodaTime;
using Storemon.Engine;
using Storemon.Reports;

namespace Storemon.Storage.Sqlite;

/// <summary>The report records and their CSV, in the same SQLite file as the data.</summary>
public sealed partial class SqliteMonitoringStore
{
    public void CreateReport(ReportRecord report)
    {
        using var connection = Open();
        using var insert = connection.CreateCommand();
        insert.CommandText = ReportSql.Create;
        insert.Parameters.AddWithValue("@id", report.Id);
        insert.Parameters.AddWithValue("@status", report.Status.ToString());
        insert.Parameters.AddWithValue("@requested", (object?)Micros(report.Request.AsOf) ?? DBNull.Value);
        insert.Parameters.AddWithValue("@interpolation", report.Request.Interpolation.ToString());
        insert.Parameters.AddWithValue("@maxGap", (object?)ReportSql.MaxGapMicroseconds(report.Request) ?? DBNull.Value);
        insert.Parameters.AddWithValue("@created", Micros(report.CreatedAt));
        insert.Parameters.AddWithValue("@heartbeat", (object?)Micros(report.HeartbeatAt) ?? DBNull.Value);
        insert.ExecuteNonQuery();
    }

    public void MarkQueued(string id)
    {
        using var connection = Open();
        using var update = connection.CreateCommand();
        update.CommandText = ReportSql.MarkQueued;
        update.Parameters.AddWithValue("@id", id);
        update.ExecuteNonQuery();
    }

    public void WithdrawReport(string id)
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction();
        foreach (var sql in new[] { "DELETE FROM report_csv WHERE report_id = @id", ReportSql.Withdraw })
        {
            using var delete = connection.CreateCommand();
            delete.Transaction = transaction;
            delete.CommandText = sql;
            delete.Parameters.AddWithValue("@id", id);
            delete.ExecuteNonQuery();
        }
        transaction.Commit();
    }

    public ReportRecord? FindReport(string id)
    {
        using var connection = OpenForLookup();
        using var select = connection.CreateCommand();
        select.CommandText = ReportSql.Find;
        select.Parameters.AddWithValue("@id", id);
        using var reader = select.ExecuteReader();
        return ReportSql.ReadAll(reader, InstantAt).SingleOrDefault();
    }

    public IReadOnlyList<ReportRecord> ListReports(int offset, int limit)
    {
        using var connection = OpenForLookup();
        using var select = connection.CreateCommand();
        select.CommandText = ReportSql.List;
        select.Parameters.AddWithValue("@limit", limit);
        select.Parameters.AddWithValue("@offset", offset);
        using var reader = select.ExecuteReader();
        return ReportSql.ReadAll(reader, InstantAt);
    }

    public ReportRecord? TryStartReport(string id, Instant now, Instant staleBefore) =>
        Claim(ReportSql.Start, ("@id", id), ("@now", Micros(now)), ("@stale", Micros(staleBefore)));

    public ReportRecord? RetakeReport(string id, int attempt, Instant now) =>
        Claim(ReportSql.Retake, ("@id", id), ("@attempt", attempt), ("@now", Micros(now)));

    /// <summary>A claim's UPDATE … RETURNING: the record as claimed, or null.</summary>
    private ReportRecord? Claim(string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = Open();
        using var update = connection.CreateCommand();
        update.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            update.Parameters.AddWithValue(name, value);
        }
        using var reader = update.ExecuteReader();
        return ReportSql.ReadAll(reader, InstantAt).SingleOrDefault();
    }

    public bool ReportProgress(string id, int attempt, int storesDone, int storesTotal, Instant now) =>
        ExecuteReportUpdate(ReportSql.Progress, id, now, ("@attempt", attempt), ("@done", storesDone), ("@total", storesTotal)) == 1;

    public bool CompleteReport(string id, int attempt, ReportSummary summary, ReadOnlySpan<byte> csv, Instant now)
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction();
        using (var update = connection.CreateCommand())
        {
            update.Transaction = transaction;
            update.CommandText = ReportSql.Complete;
            update.Parameters.AddWithValue("@id", id);
            update.Parameters.AddWithValue("@attempt", attempt);
            update.Parameters.AddWithValue("@asOf", (object?)Micros(summary.AsOf) ?? DBNull.Value);
            update.Parameters.AddWithValue("@rows", summary.Stores);
            update.Parameters.AddWithValue("@pollRows", summary.PollRows);
            update.Parameters.AddWithValue("@latestPoll", (object?)Micros(summary.LatestPoll) ?? DBNull.Value);
            update.Parameters.AddWithValue("@tzdb", ReportProvenance.CurrentTzdbVersion);
            update.Parameters.AddWithValue("@now", Micros(now));
            if (update.ExecuteNonQuery() != 1)
            {
                return false;
            }
        }
        using (var content = connection.CreateCommand())
        {
            content.Transaction = transaction;
            content.CommandText = "INSERT OR REPLACE INTO report_csv (report_id, content) VALUES (@id, @content)";
            content.Parameters.AddWithValue("@id", id);
            content.Parameters.Add("@content", SqliteType.Blob).Value = csv.ToArray();
            content.ExecuteNonQuery();
        }
        transaction.Commit();
        return true;
    }

    public bool FailReport(string id, int attempt, string reason, Instant now) =>
        ExecuteReportUpdate(ReportSql.Fail, id, now, ("@attempt", attempt), ("@error", reason)) == 1;

    public Stream? OpenReportCsv(string id)
    {
        var connection = OpenForLookup();
        try
        {
            using var select = connection.CreateCommand();
            select.CommandText = "SELECT rowid FROM report_csv WHERE report_id = @id";
            select.Parameters.AddWithValue("@id", id);
            if (select.ExecuteScalar() is not long rowid)
            {
                connection.Dispose();
                return null;
            }
            // Read straight from the database page by page; the connection lives as long as the stream.
            return new OwningStream(new SqliteBlob(connection, "report_csv", "content", rowid, readOnly: true), connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public int ReleaseRunningReports()
    {
        using var connection = Open();
        using var update = connection.CreateCommand();
        update.CommandText = ReportSql.Release;
        return update.ExecuteNonQuery();
    }

    public WaitingReports WaitingReports()
    {
        using var connection = Open();
        using var select = connection.CreateCommand();
        select.CommandText = ReportSql.Waiting;
        using var reader = select.ExecuteReader();
        return ReportSql.ReadWaiting(reader, InstantAt);
    }

    public IReadOnlyList<string> StaleReports(Instant staleBefore)
    {
        using var connection = Open();
        using var select = connection.CreateCommand();
        select.CommandText = ReportSql.Stale;
        select.Parameters.AddWithValue("@stale", Micros(staleBefore));
        using var reader = select.ExecuteReader();
        return ReportSql.ReadIds(reader);
    }

    public int PruneReports(Instant finishedBefore)
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction();
        using (var csv = connection.CreateCommand())
        {
            csv.Transaction = transaction;
            csv.CommandText = $"DELETE FROM report_csv WHERE report_id IN (SELECT id FROM report WHERE {ReportSql.Prunable})";
            csv.Parameters.AddWithValue("@before", Micros(finishedBefore));
            csv.ExecuteNonQuery();
        }
        // Its own statement, so that the count is of reports only (one command's count sums every statement in it).
        using var delete = connection.CreateCommand();
        delete.Transaction = transaction;
        delete.CommandText = $"DELETE FROM report WHERE {ReportSql.Prunable}";
        delete.Parameters.AddWithValue("@before", Micros(finishedBefore));
        var deleted = delete.ExecuteNonQuery();
        transaction.Commit();
        return deleted;
    }

    private int ExecuteReportUpdate(string sql, string id, Instant now, params (string Name, object Value)[] parameters)
    {
        using var connection = Open();
        using var update = connection.CreateCommand();
        update.CommandText = sql;
        update.Parameters.AddWithValue("@id", id);
        update.Parameters.AddWithValue("@now", Micros(now));
        foreach (var (name, value) in parameters)
        {
            update.Parameters.AddWithValue(name, value);
        }
        return update.ExecuteNonQuery();
    }

    private static readonly Func<System.Data.Common.DbDataReader, int, Instant> InstantAt =
        static (reader, column) => Instant.FromUnixTimeTicks(reader.GetInt64(column) * Poll.TicksPerMicrosecond);

    private static long Micros(Instant instant) => instant.ToUnixTimeTicks() / Poll.TicksPerMicrosecond;

    private static long? Micros(Instant? instant) => instant is { } value ? Micros(value) : null;
}
