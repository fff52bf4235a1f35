using System.CommandLine;
using Npgsql;
using Storemon.Storage;
using Storemon.Storage.Postgres;
using Storemon.Storage.Sqlite;

namespace Storemon.Cli.Commands;

/// <summary>Options that several commands share, spelled the same everywhere.</summary>
internal static class CommonOptions
{
    public static Option<string> Database() => new("--db")
    {
        Description = "The database: a SQLite file path (import creates it if missing; report needs it to exist), or a PostgreSQL connection string (Host=…;Database=…, or postgresql://user@host/db).",
        Required = true,
    };

    /// <summary>
    /// Opens the database named by --db and brings its schema up to date. A command that only reads
    /// passes <paramref name="createMissing"/> false: a mistyped SQLite path is then an error, not a new
    /// empty database that reports nothing. Every failure to open is a <see cref="CommandFailedException"/>.
    /// </summary>
    public static IStoremonDatabase OpenStore(string database, bool createMissing)
    {
        if (MonitoringStores.IsPostgres(database))
        {
            return OpenPostgres(database);
        }
        var path = Path.GetFullPath(database);
        if (Directory.Exists(path))
        {
            throw new CommandFailedException($"the database {path} is a folder, not a SQLite file.");
        }
        if (!File.Exists(path))
        {
            if (!createMissing)
            {
                throw new CommandFailedException($"the database {path} does not exist (storemon import creates it).");
            }
            var folder = Path.GetDirectoryName(path);
            if (folder is not null && !Directory.Exists(folder))
            {
                throw new CommandFailedException($"cannot create the database {path}: the folder {folder} does not exist.");
            }
        }
        try
        {
            return Migrated(MonitoringStores.Open(path));
        }
        catch (EmptyDatabaseFileException e)
        {
            throw new CommandFailedException(SqliteOpenFailure.Describe(path, e));
        }
        catch (Exception e) when (SqliteOpenFailure.Find(e) is { } sqlite)
        {
            throw new CommandFailedException(SqliteOpenFailure.Describe(path, sqlite));
        }
    }

    private static IStoremonDatabase OpenPostgres(string database)
    {
        string connectionString;
        try
        {
            connectionString = PostgresConnectionString.Normalize(database);
        }
        catch (ArgumentException e)
        {
            // The setting may hold a password: it is not repeated.
            throw new CommandFailedException($"the PostgreSQL connection string is not valid: {ExitCodes.PlainMessage(e).TrimEnd('.')}.");
        }
        try
        {
            return Migrated(MonitoringStores.Open(connectionString));
        }
        catch (Exception e) when (Find<NpgsqlException>(e) is { } npgsql)
        {
            var reason = npgsql is PostgresException server ? server.MessageText : npgsql.Message.TrimEnd('.');
            if (npgsql is not PostgresException && npgsql.InnerException is { } cause)
            {
                reason += $" ({cause.Message.TrimEnd('.')})";
            }
            var verb = KeepsFromConnecting(npgsql) ? "cannot connect to" : "cannot open";
            throw new CommandFailedException($"{verb} the PostgreSQL database at {WithoutSecrets(connectionString)}: {reason}.");
        }
    }

    // Network, authentication and a missing database keep the command from connecting at all; any
    // other server error is the server refusing the schema update.
    private static bool KeepsFromConnecting(NpgsqlException e) =>
        e is not PostgresException server
        || server.SqlState.StartsWith("08", StringComparison.Ordinal)
        || server.SqlState.StartsWith("28", StringComparison.Ordinal)
        || server.SqlState is PostgresErrorCodes.InvalidCatalogName or PostgresErrorCodes.CannotConnectNow;

    private static IStoremonDatabase Migrated(IStoremonDatabase store)
    {
        try
        {
            store.Migrate();
            return store;
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    // Where the database is, without what lets anyone in.
    private static string WithoutSecrets(string connectionString)
    {
        var given = new NpgsqlConnectionStringBuilder(connectionString);
        var shown = new NpgsqlConnectionStringBuilder { Host = given.Host, Port = given.Port, Database = given.Database };
        if (given.Username is { Length: > 0 } user)
        {
            shown.Username = user;
        }
        return shown.ConnectionString;
    }

    // Migrations wrap what the database driver threw.
    private static T? Find<T>(Exception? e)
        where T : Exception
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is T found)
            {
                return found;
            }
        }
        return null;
    }
}
