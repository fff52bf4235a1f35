using Microsoft.Data.Sqlite;
using NodaTime;
using Storemon.Engine;

namespace Storemon.Storage.Sqlite;

/// <summary>
/// A report's read of SQLite: one deferred transaction, so in WAL mode every query sees the database
/// as it was at the first read, whatever is written meanwhile.
/// </summary>
internal sealed class SqliteReportSnapshot : IReportSnapshot
{
    // Stores in ordinal order of their external id (the UNIQUE index), and for each store a range
    // scan of its polls from its latest poll before the week to the report time: the cost follows
    // the stores and the week, never the history stored before it.
    // A store range narrows the scan of the external-id index itself (the text compares as bytes, which
    // is ordinal order).
    private static string PollsSql(StoreRange stores) => $"""
        SELECT s.store_key, p.observed_at, p.active
        FROM store AS s
        JOIN poll AS p ON p.store_key = s.store_key
        WHERE p.observed_at >= coalesce(
                (SELECT max(q.observed_at) FROM poll AS q WHERE q.store_key = s.store_key AND q.observed_at < ?1), ?1)
          AND p.observed_at <= ?2 {RangeCondition(stores)}
        ORDER BY s.external_id, p.observed_at
        """;

    private readonly SqliteConnection _connection;
    private readonly SqliteTransaction _transaction;

    public SqliteReportSnapshot(SqliteConnection connection)
    {
        _connection = connection;
        _transaction = connection.BeginTransaction(deferred: true);
    }

    public Instant? LatestPoll()
    {
        using var command = Command("""
            SELECT max((SELECT max(p.observed_at) FROM poll AS p WHERE p.store_key = s.store_key)) FROM store AS s
            """);
        return command.ExecuteScalar() is long micros ? Instant.FromUnixTimeTicks(micros * Poll.TicksPerMicrosecond) : null;
    }

    public IReadOnlyDictionary<long, StoreRecord> Stores(StoreRange range)
    {
        // Both scans follow the primary keys, so each store's hours arrive together.
        var records = new StoreRecords();
        using (var scan = RangeScan(range, $"""
            SELECT h.store_key, h.day_of_week, h.start_us, h.end_us FROM business_hours AS h
            {(range.IsAll ? "" : "JOIN store AS s ON s.store_key = h.store_key WHERE 1")} {RangeCondition(range)}
            ORDER BY h.store_key
            """))
        {
            while (scan.Step())
            {
                records.AddHours(scan.Int64(0), (int)scan.Int64(1), scan.Int64(2), scan.Int64(3));
            }
        }
        using (var scan = RangeScan(range, $"SELECT s.store_key, s.external_id, s.time_zone FROM store AS s WHERE 1 {RangeCondition(range)}"))
        {
            while (scan.Step())
            {
                records.AddStore(scan.Int64(0), scan.String(1), scan.IsNull(2) ? null : scan.String(2));
            }
        }
        return records.Stores;
    }

    public IReadOnlyList<string> StoreIds()
    {
        var ids = new List<string>();
        using var scan = new RawStatement(_connection, "SELECT external_id FROM store ORDER BY external_id");
        while (scan.Step())
        {
            ids.Add(scan.String(0));
        }
        return ids;
    }

    public void ReadPolls(Instant weekStart, Instant asOf, StoreRange range, bool silentStores, StorePollsAction onStore, CancellationToken cancellationToken)
    {
        var fromTicks = weekStart.ToUnixTimeTicks();
        using var scan = PollScan(weekStart, asOf, range);
        var buffer = new Poll[256];
        var count = 0;
        var currentStore = long.MinValue;
        var stores = 0;
        while (scan.Step())
        {
            var store = scan.Int64(0);
            if (store != currentStore)
            {
                Flush(currentStore, buffer, count, fromTicks, silentStores, onStore);
                count = 0;
                currentStore = store;
                if ((++stores & 0x3FF) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }
            }
            if (count == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }
            buffer[count++] = Poll.FromMicroseconds(scan.Int64(1), scan.Int64(2) != 0);
        }
        Flush(currentStore, buffer, count, fromTicks, silentStores, onStore);
    }

    public void Dispose()
    {
        _transaction.Dispose();
        _connection.Dispose();
    }

    // A store whose only poll is the one before the week was silent all week: it has a report row only
    // when silent stores are asked for. The scan returns that poll either way, so asking costs nothing.
    private static void Flush(long store, Poll[] buffer, int count, long fromTicks, bool silentStores, StorePollsAction onStore)
    {
        if (count > 0 && (silentStores || buffer[count - 1].UnixTicks >= fromTicks))
        {
            onStore(store, buffer.AsSpan(0, count));
        }
    }

    private RawStatement PollScan(Instant weekStart, Instant asOf, StoreRange stores)
    {
        var scan = RangeScan(stores, PollsSql(stores));
        scan.Bind(1, ToMicroseconds(weekStart));
        scan.Bind(2, ToMicroseconds(asOf));
        return scan;
    }

    /// <summary>The condition on <c>s.external_id</c> (the store table as <c>s</c>) that keeps the stores of <paramref name="stores"/>, parameters ?3 and ?4.</summary>
    private static string RangeCondition(StoreRange stores) =>
        (stores.FromInclusive is null ? "" : " AND s.external_id >= ?3") + (stores.ToExclusive is null ? "" : " AND s.external_id < ?4");

    /// <summary>A statement with the ?3 / ?4 parameters of <see cref="RangeCondition"/> bound.</summary>
    private RawStatement RangeScan(StoreRange stores, string sql)
    {
        var scan = new RawStatement(_connection, sql);
        if (stores.FromInclusive is { } from)
        {
            scan.Bind(3, from);
        }
        if (stores.ToExclusive is { } to)
        {
            scan.Bind(4, to);
        }
        return scan;
    }

    private static long ToMicroseconds(Instant instant) => instant.ToUnixTimeTicks() / Poll.TicksPerMicrosecond;

    private SqliteCommand Command(string sql)
    {
        var command = _connection.CreateCommand();
        command.Transaction = _transaction;
        command.CommandText = sql;
        return command;
    }
}
