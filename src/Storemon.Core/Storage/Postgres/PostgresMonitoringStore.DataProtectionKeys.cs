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
    public void WithKeyRingLocked(Action action, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(action);
        using var connection = _dataSource.OpenConnection();
        // lock_timeout bounds the wait for an advisory lock too; set for this wait only.
        try
        {
            Execute(connection, FormattableString.Invariant($"SET lock_timeout = {Math.Max(1, (long)timeout.TotalMilliseconds)}; SELECT pg_advisory_lock({KeyRingLock}); RESET lock_timeout"));
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
        {
            throw DataProtectionKeySql.LockTimeout(timeout);
        }
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
