using System.Data.Common;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Npgsql;
using Storemon.Storage;

namespace Storemon.Tests.Databases;

/// <summary>The databases the service runs on; every storage, import, report and CLI test runs on each.</summary>
public enum DatabaseKind
{
    Sqlite,
    Postgres,
}

/// <summary>
/// A fresh database of one test's own, with a temporary folder for the files the test writes: a SQLite
/// file in that folder, or a database of its own on the run's PostgreSQL server (see
/// <see cref="PostgresServer"/>). Nothing is created in it until the test or the program under test does.
/// </summary>
/// <remarks>
/// A PostgreSQL database is made on first use, which decides how: opened as a store first
/// (<see cref="Store"/>, <see cref="Open"/>), which migrates it, it is made as a copy of a database
/// migrated once per run, which the migration then finds up to date; used any other way first (its
/// <see cref="Connection"/> handed to a program, a query), it is made empty. Either way the test sees
/// what it saw when every database was made empty and migrated by its first store. (A database of
/// <see cref="CreateForService"/> is made with the job queue's tables as well, whatever uses it first.)
/// </remarks>
public sealed class TestDatabase : IDisposable
{
    private readonly DirectoryInfo _folder;
    private readonly string _connection;
    private readonly string? _postgresName;
    private readonly bool _forService;
    private readonly Lock _creating = new();
    private bool _created;
    private bool _disposed;
    private IStoremonDatabase? _store;
    private NpgsqlDataSource? _postgres;

    private TestDatabase(DatabaseKind kind, DirectoryInfo folder, string connection, string? postgresName, bool forService)
    {
        Kind = kind;
        _folder = folder;
        _connection = connection;
        _postgresName = postgresName;
        _forService = forService;
    }

    /// <summary>
    /// A new database of <paramref name="kind"/>. Where PostgreSQL cannot be had the test is skipped
    /// with the reason, except under <c>CI=true</c>, where it fails: CI must not pass without it.
    /// </summary>
    public static TestDatabase Create(DatabaseKind kind) => Create(kind, forService: false);

    /// <summary>
    /// A new database for a service that is not under test for its first start: on PostgreSQL its
    /// tables and the job queue's are already made, as a service leaves them that ran on it before
    /// (without any rows); on SQLite, as <see cref="Create"/>.
    /// </summary>
    public static TestDatabase CreateForService(DatabaseKind kind) => Create(kind, forService: true);

    private static TestDatabase Create(DatabaseKind kind, bool forService)
    {
        RequireAvailable(kind);
        var folder = Directory.CreateTempSubdirectory("storemon-test-");
        if (kind == DatabaseKind.Sqlite)
        {
            return new TestDatabase(kind, folder, Path.Combine(folder.FullName, "storemon.db"), postgresName: null, forService);
        }
        try
        {
            var (name, connection) = PostgresServer.NameDatabase();
            return new TestDatabase(kind, folder, connection, name, forService);
        }
        catch
        {
            folder.Delete(recursive: true);
            throw;
        }
    }

    /// <summary>Skips (or under <c>CI=true</c> fails) the test when <paramref name="kind"/> cannot be had.</summary>
    public static void RequireAvailable(DatabaseKind kind)
    {
        if (kind != DatabaseKind.Postgres || PostgresServer.Unavailable is not { } reason)
        {
            return;
        }
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"PostgreSQL is required under CI=true but is not available: {reason}");
        }
        throw new SkipException($"PostgreSQL is not available ({reason}); set {PostgresServer.ConnectionVariable} to a connection string to use a running server.");
    }

    public DatabaseKind Kind { get; }

    /// <summary>The one connection setting: the SQLite file's path or the PostgreSQL connection string, as <c>--db</c> takes it.</summary>
    public string Connection
    {
        get
        {
            EnsureCreated(opensStore: false);
            return _connection;
        }
    }

    /// <summary>The store over this database as the service opens it, migrated on first use.</summary>
    public IStoremonDatabase Store => _store ??= Open();

    /// <summary>A store of its own over this database, as another process would open it; the caller disposes it.</summary>
    public IStoremonDatabase Open()
    {
        EnsureCreated(opensStore: true);
        return Migrated(MonitoringStores.Open(_connection));
    }

    /// <summary>
    /// A new PostgreSQL database of its own that holds what this one holds now: a file copy on the server,
    /// far cheaper than writing the same rows again. This database's own connections are closed first;
    /// no other may be open to it.
    /// </summary>
    public TestDatabase Copy()
    {
        if (_postgresName is null)
        {
            throw new NotSupportedException("Only a PostgreSQL database is copied.");
        }
        EnsureCreated(opensStore: false);
        _store?.Dispose();
        _store = null;
        _postgres?.Dispose();
        _postgres = null;
        var copy = Create(Kind, _forService);
        try
        {
            lock (copy._creating)
            {
                PostgresServer.CopyDatabase(copy._postgresName!, _postgresName);
                copy._created = true;
            }
            return copy;
        }
        catch
        {
            copy.Dispose();
            throw;
        }
    }

    /// <summary>A path in the test's temporary folder.</summary>
    public string PathOf(string name) => Path.Combine(_folder.FullName, name);

    /// <summary>Writes <paramref name="content"/> as UTF-8 without a byte-order mark, exactly as given, and returns its path.</summary>
    public string WriteCsv(string name, string content) => WriteCsv(name, new UTF8Encoding(false).GetBytes(content));

    public string WriteCsv(string name, byte[] content)
    {
        var path = PathOf(name);
        File.WriteAllBytes(path, content);
        return path;
    }

    public long Count(string table) => Scalar($"SELECT count(*) FROM {table}");

    /// <summary>How many polls are active. (SQLite keeps a status as 0 or 1, PostgreSQL as a boolean: the cast reads both.)</summary>
    public long ActivePolls() => Scalar("SELECT count(*) FROM poll WHERE CAST(active AS INTEGER) = 1");

    /// <summary>The one number that <paramref name="sql"/> answers; SQL valid on both databases.</summary>
    public long Scalar(string sql) => Convert.ToInt64(Query(sql, command => command.ExecuteScalar()), CultureInfo.InvariantCulture);

    /// <summary>The one text that <paramref name="sql"/> answers, or null.</summary>
    public string? Text(string sql) => Query(sql, command => command.ExecuteScalar()) as string;

    /// <summary>Runs a statement that changes data; returns the rows it changed.</summary>
    public int Execute(string sql) => Query(sql, command => command.ExecuteNonQuery());

    /// <summary>The first column of every row that <paramref name="sql"/> answers, as text.</summary>
    public IReadOnlyList<string> Rows(string sql) => Rows(sql, storeId: null);

    /// <summary>
    /// SQL for a poll time <paramref name="column"/> as microseconds since the Unix epoch: SQLite keeps
    /// that number, PostgreSQL a <c>timestamptz</c> (whose epoch is exact to the microsecond).
    /// </summary>
    public string Microseconds(string column) => Kind == DatabaseKind.Sqlite ? column : $"CAST(extract(epoch FROM {column}) * 1000000 AS bigint)";

    /// <summary>The polls of one store as <c>observed_at:active</c> (microseconds, 0 or 1), in time order.</summary>
    public IReadOnlyList<string> Polls(string storeId) => Rows($"""
        SELECT {Microseconds("p.observed_at")} || ':' || CAST(p.active AS INTEGER) FROM poll p JOIN store s ON s.store_key = p.store_key
        WHERE s.external_id = @id ORDER BY p.observed_at
        """, storeId);

    /// <summary>The hours of one store as <c>day start_us-end_us</c>, in order.</summary>
    public IReadOnlyList<string> Hours(string storeId) => Rows("""
        SELECT h.day_of_week || ' ' || h.start_us || '-' || h.end_us FROM business_hours h JOIN store s ON s.store_key = h.store_key
        WHERE s.external_id = @id ORDER BY h.day_of_week, h.start_us, h.end_us
        """, storeId);

    public string? TimeZone(string storeId) => Rows("SELECT time_zone FROM store WHERE external_id = @id", storeId) switch
    {
        [] => null,
        [var zone] => zone,
        var zones => throw new InvalidOperationException($"{zones.Count} stores have the id {storeId}."),
    };

    /// <summary>Every row of every table, as text: two equal dumps mean an unchanged database.</summary>
    public IReadOnlyList<string> Dump() =>
    [
        .. Rows("SELECT 'store ' || store_key || ' ' || external_id || ' ' || coalesce(time_zone, '-') FROM store ORDER BY store_key"),
        .. Rows("SELECT 'hours ' || store_key || ' ' || day_of_week || ' ' || start_us || ' ' || end_us FROM business_hours ORDER BY store_key, day_of_week, start_us, end_us"),
        .. Rows($"SELECT 'poll ' || store_key || ' ' || {Microseconds("observed_at")} || ' ' || CAST(active AS INTEGER) FROM poll ORDER BY store_key, observed_at"),
    ];

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _store?.Dispose();
        _postgres?.Dispose();
        if (_postgresName is not null)
        {
            lock (_creating)
            {
                if (_created)
                {
                    PostgresServer.DropDatabase(_postgresName);
                }
            }
        }
        else
        {
            // A pooled connection would keep the deleted file open.
            SqliteConnection.ClearAllPools();
        }
        try
        {
            _folder.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary folder is not a test failure.
        }
    }

    // On PostgreSQL, makes the database (as the class's remarks say) unless it is made already.
    private void EnsureCreated(bool opensStore)
    {
        if (_postgresName is null)
        {
            return;
        }
        lock (_creating)
        {
            if (!_created)
            {
                PostgresServer.CreateDatabase(_postgresName,
                    _forService ? PostgresSchema.StoremonAndJobQueue : opensStore ? PostgresSchema.Storemon : PostgresSchema.None);
                _created = true;
            }
        }
    }

    private static IStoremonDatabase Migrated(IStoremonDatabase store)
    {
        store.Migrate();
        return store;
    }

    private List<string> Rows(string sql, string? storeId) => Query(sql, command =>
    {
        if (storeId is not null)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@id";
            parameter.Value = storeId;
            command.Parameters.Add(parameter);
        }
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(reader.GetString(0));
        }
        return rows;
    });

    private T Query<T>(string sql, Func<DbCommand, T> run)
    {
        using var connection = Connect();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return run(command);
    }

    // Connections of the test's own, apart from the store's, so that what a test reads is what the
    // store committed.
    private DbConnection Connect()
    {
        if (Kind == DatabaseKind.Postgres)
        {
            _postgres ??= NpgsqlDataSource.Create(Connection);
            return _postgres.OpenConnection();
        }
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Connection, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }
}
