using System.Reflection;
using DbUp;
using DbUp.Postgresql;
using Npgsql;
using NpgsqlTypes;
using NodaTime;
using Storemon.Engine;

namespace Storemon.Storage.Postgres;

/// <summary>
/// The production database: PostgreSQL through one <see cref="NpgsqlDataSource"/> (its pool is shared
/// by every operation). Every import is one transaction that streams its rows by binary COPY: polls
/// as <see cref="PollImport"/> describes, hours and zones into a temporary staging table that is then
/// merged with the SPEC's replace and upsert rules. Polls live in weekly partitions (the Partitions
/// part of this class); reports read a snapshot (<see cref="PostgresReportSnapshot"/>).
/// </summary>
public sealed partial class PostgresMonitoringStore : IStoremonDatabase, ISharedSnapshots
{
    // Keys of the advisory locks through which processes sharing the database take turns (the
    // service's key ring, in the API host, takes MigrationLock + 3).
    private const long MigrationLock = 0x73746f72656d6f6e; // "storemon"
    private const long PartitionLock = MigrationLock + 1;
    private const long RetentionLock = MigrationLock + 2;

    private readonly NpgsqlDataSource _dataSource;

    /// <param name="connectionString">An Npgsql connection string (keywords; see <see cref="PostgresConnectionString"/> for URIs).</param>
    public PostgresMonitoringStore(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        _dataSource = new NpgsqlDataSourceBuilder(connectionString).Build();
    }

    /// <summary>Polls an import sorts and copies at a time (smaller only in tests, to see several chunks).</summary>
    internal int PollChunkRows { get; init; } = PollImport.DefaultChunkRows;

    /// <summary>The rows an import's first chunk needs, all of one week, to be written when the input moves on to another week (smaller only in tests).</summary>
    internal int WeekChunkRows { get; init; } = PollImport.DefaultWeekChunkRows;

    /// <summary>The connection string the store was opened with.</summary>
    public string ConnectionString => _dataSource.ConnectionString;

    public void Migrate()
    {
        using var connection = _dataSource.OpenConnection();
        // Every process (each report command, each API node and worker) migrates when it starts; when
        // the journal already lists every script, one query says so, without DbUp's own start-up.
        if (AppliedScripts(connection).IsSupersetOf(MigrationScripts))
        {
            return;
        }
        // A session lock makes concurrent starts take turns, so no script runs twice and none sees
        // another half done.
        Execute(connection, $"SELECT pg_advisory_lock({MigrationLock})");
        try
        {
            var result = DeployChanges.To
                .PostgresqlDatabase(new PostgresqlConnectionManager(_dataSource))
                .WithScriptsEmbeddedInAssembly(Assembly.GetExecutingAssembly(), static name => MigrationScripts.Contains(name))
                .WithTransactionPerScript()
                .LogToNowhere()
                .Build()
                .PerformUpgrade();
            if (!result.Successful)
            {
                throw new InvalidOperationException($"Migrating the PostgreSQL database failed at script {result.ErrorScript?.Name}: {result.Error.Message}", result.Error);
            }
        }
        finally
        {
            Execute(connection, $"SELECT pg_advisory_unlock({MigrationLock})");
        }
    }

    private static readonly HashSet<string> MigrationScripts =
        [.. Assembly.GetExecutingAssembly().GetManifestResourceNames().Where(static name => name.Contains(".Storage.Postgres.Migrations.", StringComparison.Ordinal))];

    // The scripts DbUp's journal lists as applied; none when there is no journal yet.
    private static HashSet<string> AppliedScripts(NpgsqlConnection connection)
    {
        var applied = new HashSet<string>(StringComparer.Ordinal);
        using (var exists = new NpgsqlCommand("SELECT to_regclass('schemaversions') IS NOT NULL", connection))
        {
            if (exists.ExecuteScalar() is not true)
            {
                return applied;
            }
        }
        using var command = new NpgsqlCommand("SELECT scriptname FROM schemaversions", connection);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            applied.Add(reader.GetString(0));
        }
        return applied;
    }

    public int WritePolls(IEnumerable<PollRow> rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        using var connection = _dataSource.OpenConnection();
        using var transaction = connection.BeginTransaction();
        var written = PollImport.Run(connection, transaction, _dataSource.OpenConnection, rows, PollChunkRows, WeekChunkRows, cancellationToken);
        transaction.Commit();
        return written.Read;
    }

    public int ReplaceBusinessHours(IEnumerable<BusinessHoursRow> rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var all = Materialize(rows, cancellationToken);
        using var connection = _dataSource.OpenConnection();
        using var transaction = connection.BeginTransaction();
        var stores = new StoreKeys(connection);
        stores.Resolve(all.Select(static row => row.StoreId));
        Execute(connection, """
            CREATE TEMP TABLE hours_staging (store_key bigint NOT NULL, day_of_week smallint NOT NULL, start_us bigint NOT NULL, end_us bigint NOT NULL)
            ON COMMIT DROP
            """);
        using (var copy = connection.BeginBinaryImport("COPY hours_staging (store_key, day_of_week, start_us, end_us) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var row in all)
            {
                copy.StartRow();
                copy.Write(stores[row.StoreId], NpgsqlDbType.Bigint);
                copy.Write((short)row.Hours.SpecDay, NpgsqlDbType.Smallint);
                copy.Write(Microseconds(row.Hours.Start), NpgsqlDbType.Bigint);
                copy.Write(Microseconds(row.Hours.End), NpgsqlDbType.Bigint);
            }
            copy.Complete();
        }
        cancellationToken.ThrowIfCancellationRequested();
        // The store rows are locked first (in key order, so two imports cannot deadlock): two imports
        // naming the same store then replace its hours one after the other, as they would on SQLite,
        // instead of both deleting the old rows and leaving the union of their new ones.
        Execute(connection, """
            SELECT 1 FROM store WHERE store_key IN (SELECT store_key FROM hours_staging) ORDER BY store_key FOR NO KEY UPDATE;
            DELETE FROM business_hours WHERE store_key IN (SELECT store_key FROM hours_staging);
            INSERT INTO business_hours (store_key, day_of_week, start_us, end_us)
            SELECT DISTINCT store_key, day_of_week, start_us, end_us FROM hours_staging;
            """);
        transaction.Commit();
        return all.Count;
    }

    public int UpsertTimeZones(IEnumerable<TimeZoneRow> rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var all = Materialize(rows, cancellationToken);
        // The last row of a store wins, as when the rows are applied one after the other.
        var zones = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var row in all)
        {
            zones[row.StoreId] = row.TimeZone;
        }
        using var connection = _dataSource.OpenConnection();
        using var transaction = connection.BeginTransaction();
        var stores = new StoreKeys(connection);
        stores.Resolve(zones.Keys);
        Execute(connection, "CREATE TEMP TABLE zone_staging (store_key bigint NOT NULL, time_zone text NOT NULL) ON COMMIT DROP");
        using (var copy = connection.BeginBinaryImport("COPY zone_staging (store_key, time_zone) FROM STDIN (FORMAT BINARY)"))
        {
            // In key order, so that two imports lock the same stores in the same order.
            foreach (var (key, zone) in zones.Select(pair => (Key: stores[pair.Key], Zone: pair.Value)).OrderBy(pair => pair.Key))
            {
                copy.StartRow();
                copy.Write(key, NpgsqlDbType.Bigint);
                copy.Write(zone, NpgsqlDbType.Text);
            }
            copy.Complete();
        }
        cancellationToken.ThrowIfCancellationRequested();
        Execute(connection, """
            UPDATE store AS s SET time_zone = z.time_zone
            FROM zone_staging AS z
            WHERE s.store_key = z.store_key AND s.time_zone IS DISTINCT FROM z.time_zone
            """);
        transaction.Commit();
        return all.Count;
    }

    /// <summary>
    /// Vacuums and analyzes the whole database now, as autovacuum does within a minute or so of a bulk
    /// load: it marks the new pages all-visible, which lets a report read the poll index alone instead
    /// of visiting the table for every row, and gives the planner statistics of the new partitions.
    /// </summary>
    public void VacuumAnalyze()
    {
        using var connection = _dataSource.OpenConnection();
        using var command = new NpgsqlCommand("VACUUM (ANALYZE)", connection) { CommandTimeout = 0 };
        command.ExecuteNonQuery();
    }

    public void Ping()
    {
        using var connection = _dataSource.OpenConnection();
        Execute(connection, "SELECT 1");
    }

    public void ProbeWrite(Instant now)
    {
        using var connection = _dataSource.OpenConnection();
        using var command = new NpgsqlCommand("UPDATE health_probe SET written_at = $1 WHERE id = 1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = now.ToUnixTimeTicks() / Poll.TicksPerMicrosecond });
        command.ExecuteNonQuery();
    }

    public IReportSnapshot OpenSnapshot() => new PostgresReportSnapshot(_dataSource.OpenConnection(), sharedSnapshot: null);

    public IExportedSnapshot OpenExportedSnapshot()
    {
        var snapshot = new PostgresReportSnapshot(_dataSource.OpenConnection(), sharedSnapshot: null);
        try
        {
            snapshot.Export();
            return snapshot;
        }
        catch
        {
            snapshot.Dispose();
            throw;
        }
    }

    public IReportSnapshot OpenSnapshot(string sharedSnapshot)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sharedSnapshot);
        return new PostgresReportSnapshot(_dataSource.OpenConnection(), sharedSnapshot);
    }

    public void Dispose() => _dataSource.Dispose();

    // The rows are read before the transaction starts: a failing enumeration then never leaves anything
    // half written, and the transaction is not held open while a file is parsed.
    private static List<T> Materialize<T>(IEnumerable<T> rows, CancellationToken cancellationToken)
    {
        var all = rows.TryGetNonEnumeratedCount(out var count) ? new List<T>(count) : [];
        foreach (var row in rows)
        {
            if ((all.Count & 0xFFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
            all.Add(row);
        }
        return all;
    }

    internal NpgsqlConnection OpenConnection() => _dataSource.OpenConnection();

    internal static int Execute(NpgsqlConnection connection, string sql, params NpgsqlParameter[] parameters)
    {
        using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddRange(parameters);
        return command.ExecuteNonQuery();
    }

    private static long Microseconds(Duration duration) => duration.BclCompatibleTicks / Poll.TicksPerMicrosecond;

    internal static DateTime DateTimeOf(long unixMicroseconds) =>
        new(DateTime.UnixEpoch.Ticks + (unixMicroseconds * Poll.TicksPerMicrosecond), DateTimeKind.Utc);

    internal static DateTime DateTimeOf(Instant instant) => instant.ToDateTimeUtc();

    internal static Instant InstantOf(DateTime utc) => Instant.FromDateTimeUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc));

    /// <summary>
    /// Maps external store ids to compact keys within one write transaction, adding the stores not
    /// seen before. Only new ids are inserted, so that re-imports do not spend the key sequence.
    /// </summary>
    internal sealed class StoreKeys
    {
        private readonly NpgsqlConnection _connection;
        private readonly Dictionary<string, long> _keys = new(StringComparer.Ordinal);

        /// <param name="loadAll">Read every store's key now (a poll import names most of them, chunk after chunk).</param>
        public StoreKeys(NpgsqlConnection connection, bool loadAll = false)
        {
            _connection = connection;
            if (loadAll)
            {
                using var select = new NpgsqlCommand("SELECT external_id, store_key FROM store", connection);
                using var reader = select.ExecuteReader();
                while (reader.Read())
                {
                    _keys[reader.GetString(0)] = reader.GetInt64(1);
                }
            }
        }

        public long this[string externalId] => _keys[externalId];

        /// <summary>A copy of the keys known now, for another thread to read while this one adds stores.</summary>
        public Dictionary<string, long> Snapshot() => new(_keys, StringComparer.Ordinal);

        public void Resolve(IEnumerable<string> externalIds)
        {
            var unknown = new HashSet<string>(StringComparer.Ordinal);
            foreach (var id in externalIds)
            {
                if (!_keys.ContainsKey(id))
                {
                    unknown.Add(id);
                }
            }
            if (unknown.Count == 0)
            {
                return;
            }
            var ids = new NpgsqlParameter<string[]>("ids", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = [.. unknown] };
            // Sorted, so that two imports adding the same new stores wait for each other instead of deadlocking.
            Execute(_connection, """
                INSERT INTO store (external_id)
                SELECT u.id FROM unnest(@ids) AS u(id)
                WHERE NOT EXISTS (SELECT 1 FROM store AS s WHERE s.external_id = u.id)
                ORDER BY u.id
                ON CONFLICT (external_id) DO NOTHING
                """, ids);
            using var select = new NpgsqlCommand("SELECT external_id, store_key FROM store WHERE external_id = ANY(@ids)", _connection);
            select.Parameters.Add(new NpgsqlParameter<string[]>("ids", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = ids.TypedValue });
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                _keys[reader.GetString(0)] = reader.GetInt64(1);
            }
        }
    }
}
