using System.Data.Common;

namespace Storemon.Storage;

/// <summary>One element of the service's data-protection key ring, as ASP.NET Core wrote it: its name and its XML.</summary>
public sealed record DataProtectionKey(string Name, string Xml);

/// <summary>
/// The data-protection key ring of the service (the keys that protect its dashboard sessions), kept
/// in the service's own database so that every process over that database reads the same keys and
/// they outlive any one process. Keys are only ever added: the key manager writes a new key before
/// the old one expires, and an expired key stays readable for what it protected.
/// </summary>
public interface IDataProtectionKeyStore
{
    /// <summary>Every stored element, in the order they were added.</summary>
    IReadOnlyList<DataProtectionKey> ListDataProtectionKeys();

    /// <summary>
    /// Adds an element; true when it was added, false when one of that name was already stored (which
    /// is kept as it is). Processes adding at the same moment never fail on one another.
    /// </summary>
    bool AddDataProtectionKey(string name, string xml);

    /// <summary>
    /// Runs <paramref name="action"/> while no other process over this database runs one here: processes
    /// that start together over a new database make the key ring's first key once, not one each.
    /// </summary>
    /// <exception cref="TimeoutException">Another process held the lock for longer than <paramref name="timeout"/>.</exception>
    void WithKeyRingLocked(Action action, TimeSpan timeout);
}

/// <summary>The statements on the key ring, the same text for SQLite and PostgreSQL.</summary>
internal static class DataProtectionKeySql
{
    public static TimeoutException LockTimeout(TimeSpan timeout) => new(FormattableString.Invariant(
        $"The data-protection key ring stayed locked by another process over this database for {timeout.TotalSeconds:0.#} s: a process that started with this one may be stuck making the ring's first key."));

    public const string List = "SELECT name, xml FROM data_protection_key ORDER BY id";

    // Names carry the key's id: two processes storing one name store the same key, so the second does nothing.
    public const string Add = "INSERT INTO data_protection_key (name, xml) VALUES (@name, @xml) ON CONFLICT (name) DO NOTHING";

    /// <summary>The keys that a query on (name, xml) answers, in its order.</summary>
    public static List<DataProtectionKey> ReadAll(DbDataReader reader)
    {
        var keys = new List<DataProtectionKey>();
        while (reader.Read())
        {
            keys.Add(new DataProtectionKey(reader.GetString(0), reader.GetString(1)));
        }
        return keys;
    }
}
