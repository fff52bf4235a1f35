using System.Text.RegularExpressions;
using Npgsql;

namespace Storemon.Storage.Postgres;

/// <summary>
/// Whole databases on a PostgreSQL server, made and dropped through a maintenance connection (one to
/// an existing database such as <c>postgres</c>): for benchmarks and tests that want a fresh database each.
/// </summary>
public static partial class PostgresDatabases
{
    /// <summary>Drops <paramref name="name"/> if it exists, creates it empty, and returns the connection string to it.</summary>
    public static string CreateFresh(string maintenanceConnectionString, string name)
    {
        CheckName(name);
        using (var connection = new NpgsqlConnection(maintenanceConnectionString))
        {
            connection.Open();
            PostgresMonitoringStore.Execute(connection, $"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            PostgresMonitoringStore.Execute(connection, $"CREATE DATABASE {name}");
        }
        return new NpgsqlConnectionStringBuilder(maintenanceConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>Drops <paramref name="name"/>, closing the connections still open to it (pooled ones included).</summary>
    public static void Drop(string maintenanceConnectionString, string name)
    {
        CheckName(name);
        NpgsqlConnection.ClearAllPools();
        using var connection = new NpgsqlConnection(maintenanceConnectionString);
        connection.Open();
        PostgresMonitoringStore.Execute(connection, $"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    }

    // The name goes into the statement as an identifier (CREATE DATABASE takes no parameters).
    private static void CheckName(string name)
    {
        if (!DatabaseName().IsMatch(name))
        {
            throw new ArgumentException($"'{name}' is not a plain database name (lower-case letters, digits and _, at most 63).", nameof(name));
        }
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex DatabaseName();
}
