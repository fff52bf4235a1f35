using System.Data;
using System.Text.RegularExpressions;
using Npgsql;
using NpgsqlTypes;
using NodaTime;
using Storemon.Engine;

namespace Storemon.Storage.Postgres;

/// <summary>
/// A report's read of PostgreSQL: one REPEATABLE READ, READ ONLY transaction whose snapshot is taken
/// when it opens, so every query sees the database as it was then, whatever is written meanwhile. The
/// snapshot can be exported, and other connections (other processes computing shards of the same
/// report) can open it too.
/// </summary>
internal sealed partial class PostgresReportSnapshot : IExportedSnapshot
{
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;
    private string? _id;

    public PostgresReportSnapshot(NpgsqlConnection connection, string? sharedSnapshot)
    {
        _connection = connection;
        try
        {
            if (sharedSnapshot is not null && !SnapshotId().IsMatch(sharedSnapshot))
            {
                // The id goes into the statement as a literal (SET TRANSACTION takes no parameters).
                throw new ArgumentException($"'{sharedSnapshot}' is not a snapshot id exported by PostgreSQL.", nameof(sharedSnapshot));
            }
            _transaction = connection.BeginTransaction(IsolationLevel.RepeatableRead);
            // SET TRANSACTION SNAPSHOT must come before the transaction's first query; the SELECT then
            // takes the snapshot now rather than at the report's first read.
            PostgresMonitoringStore.Execute(connection, sharedSnapshot is null
                ? "SET TRANSACTION READ ONLY; SELECT 1"
                : $"SET TRANSACTION READ ONLY; SET TRANSACTION SNAPSHOT '{sharedSnapshot}'; SELECT 1");
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>The id of this snapshot once <see cref="Export"/> has exported it.</summary>
    public string Id => _id ?? throw new InvalidOperationException("The snapshot has not been exported.");

    /// <summary>Exports the snapshot: other connections can open it by <see cref="Id"/> while this transaction stays open.</summary>
    public void Export()
    {
        using var command = new NpgsqlCommand("SELECT pg_export_snapshot()", _connection);
        _id = (string)command.ExecuteScalar()!;
    }

    /// <remarks>
    /// The imports keep the latest poll they wrote (poll_latest): when that poll is still there, it is the
    /// latest, since polls leave only with their week. Otherwise (its week dropped, or no import since the
    /// table came) this walks the weeks from the newest partition holding a poll, and there takes each
    /// store's latest poll by one probe of the key: a report's start never reads a whole week of polls,
    /// nor any older week.
    /// </remarks>
    public Instant? LatestPoll()
    {
        using (var kept = new NpgsqlCommand("""
            SELECT l.observed_at FROM poll_latest AS l
            WHERE EXISTS (SELECT 1 FROM poll AS p WHERE p.store_key = l.store_key AND p.observed_at = l.observed_at)
            """, _connection))
        {
            if (kept.ExecuteScalar() is DateTime latest)
            {
                return PostgresMonitoringStore.InstantOf(latest);
            }
        }
        return SearchLatestPoll(_connection) is { } found ? PostgresMonitoringStore.InstantOf(found.At) : null;
    }

    /// <summary>The latest poll (its store's key and its time) found by probing each store's key, newest week first.</summary>
    internal static (long Store, DateTime At)? SearchLatestPoll(NpgsqlConnection connection)
    {
        var partitions = PostgresMonitoringStore.Partitions(connection);
        for (var i = partitions.Count - 1; i >= 0; i--)
        {
            var (_, week, detachPending) = partitions[i];
            if (detachPending)
            {
                continue;
            }
            using var command = new NpgsqlCommand("""
                SELECT s.store_key, l.observed_at
                FROM store AS s
                CROSS JOIN LATERAL (
                    SELECT p.observed_at FROM poll AS p
                    WHERE p.store_key = s.store_key AND p.observed_at >= @from AND p.observed_at < @to
                    ORDER BY p.observed_at DESC LIMIT 1) AS l
                WHERE EXISTS (SELECT 1 FROM poll AS e WHERE e.observed_at >= @from AND e.observed_at < @to)
                ORDER BY l.observed_at DESC
                LIMIT 1
                """, connection);
            command.Parameters.Add(new NpgsqlParameter<DateTime>("from", NpgsqlDbType.TimestampTz) { TypedValue = PostgresMonitoringStore.DateTimeOf(week) });
            command.Parameters.Add(new NpgsqlParameter<DateTime>("to", NpgsqlDbType.TimestampTz) { TypedValue = PostgresMonitoringStore.DateTimeOf(week + PollWeeks.Length) });
            using var reader = command.ExecuteReader();
            if (reader.Read())
            {
                return (reader.GetInt64(0), reader.GetFieldValue<DateTime>(1));
            }
        }
        return null;
    }

    public IReadOnlyDictionary<long, StoreRecord> Stores(StoreRange range)
    {
        var records = new StoreRecords();
        using (var command = RangeCommand(range, $"""
            SELECT h.store_key, h.day_of_week, h.start_us, h.end_us FROM business_hours AS h
            {(range.IsAll ? "" : "JOIN store AS s ON s.store_key = h.store_key WHERE true")} {RangeCondition(range)}
            ORDER BY h.store_key
            """))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                records.AddHours(reader.GetInt64(0), reader.GetInt16(1), reader.GetInt64(2), reader.GetInt64(3));
            }
        }
        using (var command = RangeCommand(range, $"SELECT s.store_key, s.external_id, s.time_zone FROM store AS s WHERE true {RangeCondition(range)}"))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                records.AddStore(reader.GetInt64(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2));
            }
        }
        return records.Stores;
    }

    public IReadOnlyList<string> StoreIds()
    {
        // external_id is COLLATE "C": the unique index is in ordinal order.
        using var command = new NpgsqlCommand("SELECT external_id FROM store ORDER BY external_id", _connection);
        using var reader = command.ExecuteReader();
        return ReportSql.ReadIds(reader);
    }

    public void ReadPolls(Instant weekStart, Instant asOf, StoreRange stores, bool silentStores, StorePollsAction onStore, CancellationToken cancellationToken)
    {
        var buffer = new Poll[256];
        Scan(weekStart, asOf, stores, silentStores, (storeKey, before, times, statuses) =>
        {
            var count = times.Length + (before is null ? 0 : 1);
            if (buffer.Length < count)
            {
                Array.Resize(ref buffer, Math.Max(count, buffer.Length * 2));
            }
            var n = 0;
            if (before is { } poll)
            {
                buffer[n++] = poll;
            }
            for (var i = 0; i < times.Length; i++)
            {
                buffer[n++] = new Poll(times[i].Ticks - DateTime.UnixEpoch.Ticks, statuses[i]);
            }
            var polls = buffer.AsSpan(0, n);
            // The arrays come from a subquery ordered by time, which PostgreSQL keeps in practice but
            // SQL does not promise: check, and sort in the rare case it did not hold.
            for (var i = 1; i < polls.Length; i++)
            {
                if (polls[i].UnixTicks <= polls[i - 1].UnixTicks)
                {
                    polls.Sort(static (a, b) => a.UnixTicks.CompareTo(b.UnixTicks));
                    break;
                }
            }
            onStore(storeKey, polls);
        }, cancellationToken);
    }

    public void Dispose()
    {
        _transaction.Dispose();
        _connection.Dispose();
    }

    private delegate void StoreRowAction(long storeKey, Poll? before, DateTime[] times, bool[] statuses);

    /// <summary>The scan of <see cref="Scan"/>, with parameters @week, @asOf, and @from / @to for a bounded store range.</summary>
    internal static string PollsSql(StoreRange stores, bool silentStores = false) => $"""
        SELECT s.store_key, b.observed_at, b.active, w.observed, w.active
        FROM store AS s
        CROSS JOIN LATERAL (
            SELECT array_agg(p.observed_at) AS observed, array_agg(p.active) AS active
            FROM (SELECT p.observed_at, p.active FROM poll AS p
                  WHERE p.store_key = s.store_key AND p.observed_at >= @week AND p.observed_at <= @asOf
                  ORDER BY p.observed_at) AS p
        ) AS w
        LEFT JOIN LATERAL (
            SELECT q.observed_at, q.active FROM poll AS q
            WHERE q.store_key = s.store_key AND q.observed_at < @week
            ORDER BY q.observed_at DESC
            LIMIT 1
        ) AS b ON true
        WHERE {(silentStores ? "(w.observed IS NOT NULL OR b.observed_at IS NOT NULL)" : "w.observed IS NOT NULL")} {RangeCondition(stores)}
        ORDER BY s.external_id
        """;

    /// <summary>The condition on <c>s.external_id</c> (the store table as <c>s</c>) that keeps the stores of <paramref name="stores"/>, parameters @from and @to.</summary>
    private static string RangeCondition(StoreRange stores) =>
        (stores.FromInclusive is null ? "" : " AND s.external_id >= @from") + (stores.ToExclusive is null ? "" : " AND s.external_id < @to");

    /// <summary>A command of this snapshot's transaction with the @from / @to parameters of <see cref="RangeCondition"/>.</summary>
    private NpgsqlCommand RangeCommand(StoreRange stores, string sql)
    {
        var command = new NpgsqlCommand(sql, _connection);
        if (stores.FromInclusive is { } from)
        {
            command.Parameters.Add(new NpgsqlParameter<string>("from", NpgsqlDbType.Text) { TypedValue = from });
        }
        if (stores.ToExclusive is { } to)
        {
            command.Parameters.Add(new NpgsqlParameter<string>("to", NpgsqlDbType.Text) { TypedValue = to });
        }
        return command;
    }

    // One row per store that has a poll in [week start, as of], in ordinal order of its external id
    // (the store table's unique index, which is COLLATE "C"): its week's polls as two arrays in time
    // order, and its latest poll before the week. Per store the week is a range scan of the key in the
    // week's (at most two) partitions; the poll before the week is a descending probe that PostgreSQL
    // runs over the older partitions newest first and stops at the first row, so weeks older than the
    // store's last poll before this week are never read. A store silent all week has no row, unless silent
    // stores are asked for: then its row has that probe's poll alone, which the probe finds anyway.
    private void Scan(Instant weekStart, Instant asOf, StoreRange stores, bool silentStores, StoreRowAction onRow, CancellationToken cancellationToken)
    {
        using var command = RangeCommand(stores, PollsSql(stores, silentStores));
        command.Parameters.Add(new NpgsqlParameter<DateTime>("week", NpgsqlDbType.TimestampTz) { TypedValue = PostgresMonitoringStore.DateTimeOf(weekStart) });
        command.Parameters.Add(new NpgsqlParameter<DateTime>("asOf", NpgsqlDbType.TimestampTz) { TypedValue = PostgresMonitoringStore.DateTimeOf(asOf) });
        using var reader = command.ExecuteReader(CommandBehavior.SequentialAccess);
        var rows = 0;
        while (reader.Read())
        {
            if ((++rows & 0x3FF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
            var key = reader.GetInt64(0);
            Poll? before = null;
            if (!reader.IsDBNull(1))
            {
                var at = reader.GetFieldValue<DateTime>(1);
                before = new Poll(at.Ticks - DateTime.UnixEpoch.Ticks, reader.GetBoolean(2));
            }
            // A store silent all week (asked for with silentStores) has its poll before the week alone.
            onRow(key, before, reader.IsDBNull(3) ? [] : reader.GetFieldValue<DateTime[]>(3), reader.IsDBNull(4) ? [] : reader.GetFieldValue<bool[]>(4));
        }
    }

    [GeneratedRegex(@"^[0-9A-Fa-f]+-[0-9A-Fa-f]+(-[0-9]+)?$")]
    private static partial Regex SnapshotId();
}
