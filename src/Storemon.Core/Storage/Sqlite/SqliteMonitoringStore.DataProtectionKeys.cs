namespace Storemon.Storage.Sqlite;

/// <summary>The data-protection key ring, in the same SQLite file as the data.</summary>
public sealed partial class SqliteMonitoringStore
{
    // A SQLite file serves one process, so a lock within the process is enough. (A write transaction
    // held over the action would block the action's own write, made on another connection.)
    private static readonly Lock KeyRingLock = new();

    public IReadOnlyList<DataProtectionKey> ListDataProtectionKeys()
    {
        using var connection = OpenForLookup();
        using var select = connection.CreateCommand();
        select.CommandText = DataProtectionKeySql.List;
        using var reader = select.ExecuteReader();
        return DataProtectionKeySql.ReadAll(reader);
    }

    public bool AddDataProtectionKey(string name, string xml)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(xml);
        using var connection = Open();
        using var insert = connection.CreateCommand();
        insert.CommandText = DataProtectionKeySql.Add;
        insert.Parameters.AddWithValue("@name", name);
        insert.Parameters.AddWithValue("@xml", xml);
        return insert.ExecuteNonQuery() == 1;
    }

    public void WithKeyRingLocked(Action action, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (!KeyRingLock.TryEnter(timeout))
        {
            throw DataProtectionKeySql.LockTimeout(timeout);
        }
        try
        {
            action();
        }
        finally
        {
            KeyRingLock.Exit();
        }
    }
}
