using System.Text.RegularExpressions;
using Storemon.Storage.Postgres;
using Storemon.Storage.Sqlite;

namespace Storemon.Storage;

/// <summary>
/// The service's database as every engine provides it: the monitoring data and the report records.
/// What only some engines can do has an interface of its own, implemented only where it is real
/// (<see cref="ISharedSnapshots"/> and <see cref="IReportShardStore"/>: PostgreSQL).
/// </summary>
public interface IStoremonDatabase : IMonitoringStore, IReportStore;

/// <summary>Chooses the storage implementation from the one connection setting.</summary>
public static partial class MonitoringStores
{
    /// <summary>
    /// Opens the database that <paramref name="database"/> names: PostgreSQL for a connection string
    /// (<c>Host=…;Database=…</c>, or a <c>postgres://</c> / <c>postgresql://</c> URI), else a SQLite file path.
    /// </summary>
    public static IStoremonDatabase Open(string database)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(database);
        return IsPostgres(database)
            ? new PostgresMonitoringStore(PostgresConnectionString.Normalize(database))
            : new SqliteMonitoringStore(database);
    }

    /// <summary>True when <paramref name="database"/> is a PostgreSQL connection string rather than a SQLite path.</summary>
    public static bool IsPostgres(string database)
    {
        ArgumentNullException.ThrowIfNull(database);
        return PostgresConnectionString.IsUri(database) || HostKeyword().IsMatch(database);
    }

    // A keyword connection string names its server; a file path has no "Host=" setting in it.
    [GeneratedRegex(@"(^|;)\s*host\s*=", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex HostKeyword();
}
