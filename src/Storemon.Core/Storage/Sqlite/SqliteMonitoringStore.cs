using System.Globalization;
using System.Reflection;
using DbUp;
using Microsoft.Data.Sqlite;
using NodaTime;
using Storemon.Engine;

namespace Storemon.Storage.Sqlite;

/// <summary>The embedded default: one SQLite database file in WAL mode.</summary>
public sealed partial class SqliteMonitoringStore : IStoremonDatabase
{
    private readonly string _connectionString;
    private readonly string _path;

    public SqliteMonitoringStore(string path)
    {
        _path = path;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            DefaultTimeout = 60,
        }.ToString();
    }

    /// <summary>Makes the database in a new file, or brings an existing one up to date; an empty file is refused (<see cref="EmptyDatabaseFileException"/>).</summary>
    public void Migrate()
    {
        EmptyDatabaseFileException.ThrowIfEmpty(_path);
        using (var connection = Open())
        {
            // WAL lets a report read its snapshot while polls keep being written; it is a property of the file.
            Execute(connection, "PRAGMA journal_mode = WAL;");
        }
        var result = DeployChanges.To
            .SqliteDatabase(_connectionString)
            .WithScriptsEmbeddedInAssembly(Assembly.GetExecutingAssembly(), static name => name.Contains(".Storage.Sqlite.Migrations.", StringComparison.Ordinal))
            .WithTransactionPerScript()
            .LogToNowhere()
            .Build()
            .PerformUpgrade();
        if (!result.Successful)
        {
            throw new InvalidOperationException($"Migrating the SQLite database failed at script {result.ErrorScript?.Name}: {result.Error.Message}", result.Error);
        }
    }

    public int WritePolls(IEnumerable<PollRow> rows, CancellationToken cancellationToken)
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction();
        var stores = new StoreKeys(connection, transaction);
        using var upsert = new RawStatement(connection, """
            INSERT INTO poll (store_key, observed_at, active) VALUES (?1, ?2, ?3)
            ON CONFLICT (store_key, observed_at) DO UPDATE SET active = excluded.active
            """);
        var chunk = new List<KeyedPoll>(Math.Min(PollChunk, rows.TryGetNonEnumeratedCount(out var n) ? n : PollChunk));
        var written = 0;
        foreach (var row in rows)
        {
            chunk.Add(new KeyedPoll(stores.KeyOf(row.StoreId), row.UnixMicroseconds, row.Active, written++));
            if (chunk.Count == PollChunk)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Upsert(upsert, chunk);
            }
        }
        Upsert(upsert, chunk);
        transaction.Commit();
        return written;
    }

    // Polls arrive in time order across stores; written in key order instead, every insert lands next
    // to the previous one in the B-tree, which makes a bulk import about twice as fast.
    private const int PollChunk = 1 << 20;

    private static void Upsert(RawStatement upsert, List<KeyedPoll> chunk)
    {
        chunk.Sort();
        foreach (var poll in chunk)
        {
            upsert.Bind(1, poll.Store);
            upsert.Bind(2, poll.At);
            upsert.Bind(3, poll.Active ? 1 : 0);
            upsert.Execute();
        }
        chunk.Clear();
    }

    public int ReplaceBusinessHours(IEnumerable<BusinessHoursRow> rows, CancellationToken cancellationToken)
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction();
        var stores = new StoreKeys(connection, transaction);
        using var clear = Prepare(connection, transaction, "DELETE FROM business_hours WHERE store_key = $store", "$store");
        using var insert = Prepare(connection, transaction, """
            INSERT OR IGNORE INTO business_hours (store_key, day_of_week, start_us, end_us) VALUES ($store, $day, $start, $end)
            """, "$store", "$day", "$start", "$end");
        var replaced = new HashSet<long>();
        var written = 0;
        foreach (var row in rows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var key = stores.KeyOf(row.StoreId);
            if (replaced.Add(key))
            {
                // The first row of a store in this file replaces everything the store had.
                clear.Parameters[0].Value = key;
                clear.ExecuteNonQuery();
            }
            insert.Parameters[0].Value = key;
            insert.Parameters[1].Value = (long)row.Hours.SpecDay;
            insert.Parameters[2].Value = ToMicroseconds(row.Hours.Start);
            insert.Parameters[3].Value = ToMicroseconds(row.Hours.End);
            insert.ExecuteNonQuery();
            written++;
        }
        transaction.Commit();
        return written;
    }

    public int UpsertTimeZones(IEnumerable<TimeZoneRow> rows, CancellationToken cancellationToken)
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction();
        var stores = new StoreKeys(connection, transaction);
        using var update = Prepare(connection, transaction, "UPDATE store SET time_zone = $zone WHERE store_key = $store", "$zone", "$store");
        var written = 0;
        foreach (var row in rows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            update.Parameters[0].Value = row.TimeZone;
            update.Parameters[1].Value = stores.KeyOf(row.StoreId);
            update.ExecuteNonQuery();
            written++;
        }
        transaction.Commit();
        return written;
    }

    public void Ping()
    {
        // Reads the schema page: the file is there and is a database.
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master";
        command.ExecuteScalar();
    }

    public void ProbeWrite(Instant now)
    {
        using var connection = OpenForLookup();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE health_probe SET written_at = $now WHERE id = 1";
        command.Parameters.AddWithValue("$now", now.ToUnixTimeTicks() / Poll.TicksPerMicrosecond);
        command.ExecuteNonQuery();
    }

    public IReportSnapshot OpenSnapshot() => new SqliteReportSnapshot(Open(ReadCacheKibibytes));

    public void Dispose()
    {
        // Connections are opened per operation but pooled: a disposed store closes its pooled ones,
        // or they would keep the file open, and a database deleted and made anew under the same path
        // would be written through a handle to the deleted file.
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    // Writes get a large page cache: an hour of polls touches one leaf page per store. A report reads
    // every page of the week once, in key order, so a cache beyond the B-tree's interior pages buys it
    // nothing at scale; a small one keeps its memory flat and its cost independent of how much history
    // lies beside the week (a large cache made a report on a small database faster only because the
    // whole file fit, which stops being true as history accumulates).
    private const int WriteCacheKibibytes = 65_536;
    private const int ReadCacheKibibytes = 8_192;

    internal SqliteConnection Open(int cacheKibibytes = WriteCacheKibibytes)
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        // WAL makes synchronous = NORMAL durable across process crashes (only an OS crash can lose the last commits).
        Execute(connection, string.Create(CultureInfo.InvariantCulture,
            $"PRAGMA synchronous = NORMAL; PRAGMA cache_size = -{cacheKibibytes}; PRAGMA temp_store = MEMORY;"));
        return connection;
    }

    // One-row reads (a report's status, polled many times a second) need none of the settings above:
    // they write nothing and touch a page or two, so a pooled connection is used as it comes.
    private SqliteConnection OpenForLookup()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    internal static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    internal static SqliteCommand Prepare(SqliteConnection connection, SqliteTransaction? transaction, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter(name, null));
        }
        command.Prepare();
        return command;
    }

    internal static long ToMicroseconds(Duration duration) => duration.BclCompatibleTicks / Poll.TicksPerMicrosecond;

    /// <summary>Maps external store ids to compact keys within one write transaction, adding stores not seen before.</summary>
    private sealed class StoreKeys
    {
        private readonly Dictionary<string, long> _keys = new(StringComparer.Ordinal);
        private readonly SqliteCommand _insert;

        public StoreKeys(SqliteConnection connection, SqliteTransaction transaction)
        {
            using (var all = connection.CreateCommand())
            {
                all.Transaction = transaction;
                all.CommandText = "SELECT external_id, store_key FROM store";
                using var reader = all.ExecuteReader();
                while (reader.Read())
                {
                    _keys[reader.GetString(0)] = reader.GetInt64(1);
                }
            }
            _insert = Prepare(connection, transaction, "INSERT INTO store (external_id) VALUES ($id) RETURNING store_key", "$id");
        }

        public long KeyOf(string externalId)
        {
            if (!_keys.TryGetValue(externalId, out var key))
            {
                _insert.Parameters[0].Value = externalId;
                key = (long)_insert.ExecuteScalar()!;
                _keys.Add(externalId, key);
            }
            return key;
        }
    }
}
