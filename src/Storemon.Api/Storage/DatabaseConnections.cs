using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;
using Storemon.Storage;
using Storemon.Storage.Postgres;

namespace Storemon.Api.Storage;

/// <summary>
/// Plain connections to the service's database (the one connection setting: a SQLite file or
/// PostgreSQL) for the host's own small tables, the data-protection key ring and the browser sessions,
/// whose schema the database's migrations make with the rest. Statements written with <c>@name</c>
/// parameters run on either.
/// </summary>
internal static class DatabaseConnections
{
    /// <summary>Opens a new connection each call (pooled by the provider) to the already-migrated <paramref name="database"/>.</summary>
    public static Func<DbConnection> Opener(string database)
    {
        if (MonitoringStores.IsPostgres(database))
        {
            // A pool of Npgsql's own for this connection string, apart from the storage's data source.
            var connectionString = PostgresConnectionString.Normalize(database);
            return () => Opened(new NpgsqlConnection(connectionString));
        }
        var sqlite = new SqliteConnectionStringBuilder { DataSource = database, Mode = SqliteOpenMode.ReadWrite, DefaultTimeout = 60 }.ToString();
        return () => Opened(new SqliteConnection(sqlite));
    }

    /// <summary>A command on <paramref name="connection"/> with its parameters, named as in the statement without the <c>@</c>.</summary>
    public static DbCommand Command(DbConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }
        return command;
    }

    private static DbConnection Opened(DbConnection connection)
    {
        try
        {
            connection.Open();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }
}
