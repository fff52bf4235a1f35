using Npgsql;

namespace Storemon.Storage.Postgres;

/// <summary>The data-protection key ring, in the same PostgreSQL database as the data, shared by every process over it.</summary>
public sealed partial class PostgresMonitoringStore
{
    public IReadOnlyList<DataProtectionKey> ListDataProtectionKeys()
    {
        using var connection = _dataSource.OpenConnection();
        using var select = new NpgsqlCommand(DataProtectionKeySql.List, connection);
        using var reader = select.ExecuteReader();
        return DataProtectionKeySql.ReadAll(reader);
    }

    // Under READ COMMITTED a second insert of the same name waits for the first and then does nothing.
    public bool AddDataProtectionKey(string name, string xml)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(xml);
        using var connection = _dataSource.OpenConnection();
        return Execute(connection, DataProtectionKeySql.Add, Text("name", name), Text("xml", xml)) == 1;
    }

    // A session lock on a connection of its own: the action writes through others, which the lock does not block.
    public void WithKeyRingLocked(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        using var connection = _dataSource.OpenConnection();
        Execute(connection, $"SELECT pg_advisory_lock({KeyRingLock})");
        try
        {
            action();
        }
        finally
        {
            Execute(connection, $"SELECT pg_advisory_unlock({KeyRingLock})");
        }
    }
}
