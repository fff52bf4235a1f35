using Storemon.Storage.Sqlite;

namespace Storemon.Storage;

/// <summary>Chooses the storage implementation from the one connection setting.</summary>
public static class MonitoringStores
{
    /// <summary>Opens the store for <paramref name="database"/>: a SQLite file path.</summary>
    public static IMonitoringStore Open(string database)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(database);
        return new SqliteMonitoringStore(database);
    }
}
