using System.Data.Common;
using Npgsql;
using Storemon.Api.Storage;
using Storemon.Storage;

namespace Storemon.Api.Access;

/// <summary>One element of the service's data-protection key ring, as ASP.NET Core wrote it: its name and its XML.</summary>
public sealed record DataProtectionKey(string Name, string Xml);

/// <summary>
/// The data-protection key ring of the service (the keys that protect its dashboard sessions), kept
/// in the service's own database so that every process over that database reads the same keys and
/// they outlive any one process. Keys are only ever added: the key manager writes a new key before
/// the old one expires, and an expired key stays readable for what it protected. The table
/// (<c>data_protection_key</c>) is made by the database's migrations, with the rest of the schema.
/// </summary>
internal interface IDataProtectionKeyStore
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

/// <summary>The key ring over the database that the one connection setting names (a SQLite file or PostgreSQL).</summary>
internal static class DataProtectionKeys
{
    /// <summary>The key ring in <paramref name="database"/>, whose schema is already migrated.</summary>
    public static IDataProtectionKeyStore Open(string database) => MonitoringStores.IsPostgres(database)
        ? new PostgresKeyRing(DatabaseConnections.Opener(database))
        : new SqliteKeyRing(DatabaseConnections.Opener(database));

    private const string List = "SELECT name, xml FROM data_protection_key ORDER BY id";

    // Names carry the key's id: two processes storing one name store the same key, so the second does
    // nothing. (Under PostgreSQL's READ COMMITTED a second insert of the same name waits for the first.)
    private const string Add = "INSERT INTO data_protection_key (name, xml) VALUES (@name, @xml) ON CONFLICT (name) DO NOTHING";

    private static TimeoutException LockTimeout(TimeSpan timeout) => new(FormattableString.Invariant(
        $"The data-protection key ring stayed locked by another process over this database for {timeout.TotalSeconds:0.#} s: a process that started with this one may be stuck making the ring's first key."));

    /// <summary>Reading and adding keys, the same statements on both databases; the lock is each database's own.</summary>
    private abstract class KeyRing(Func<DbConnection> open) : IDataProtectionKeyStore
    {
        public IReadOnlyList<DataProtectionKey> ListDataProtectionKeys()
        {
            using var connection = Open();
            using var select = DatabaseConnections.Command(connection, List);
            using var reader = select.ExecuteReader();
            var keys = new List<DataProtectionKey>();
            while (reader.Read())
            {
                keys.Add(new DataProtectionKey(reader.GetString(0), reader.GetString(1)));
            }
            return keys;
        }

        public bool AddDataProtectionKey(string name, string xml)
        {
            ArgumentException.ThrowIfNullOrEmpty(name);
            ArgumentException.ThrowIfNullOrEmpty(xml);
            using var connection = Open();
            using var insert = DatabaseConnections.Command(connection, Add, ("name", name), ("xml", xml));
            return insert.ExecuteNonQuery() == 1;
        }

        public abstract void WithKeyRingLocked(Action action, TimeSpan timeout);

        protected DbConnection Open() => open();
    }

    private sealed class SqliteKeyRing(Func<DbConnection> open) : KeyRing(open)
    {
        // A SQLite file serves one process, so a lock within the process is enough. (A write transaction
        // held over the action would block the action's own write, made on another connection.)
        private static readonly Lock KeyRingLock = new();

        public override void WithKeyRingLocked(Action action, TimeSpan timeout)
        {
            ArgumentNullException.ThrowIfNull(action);
            if (!KeyRingLock.TryEnter(timeout))
            {
                throw LockTimeout(timeout);
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

    private sealed class PostgresKeyRing(Func<DbConnection> open) : KeyRing(open)
    {
        // The advisory lock key next to the storage's own ("storemon" + 0..2: migrations, partitions, retention).
        private const long KeyRingLock = 0x73746f72656d6f6e + 3;

        // A session lock on a connection of its own: the action writes through others, which the lock does not block.
        public override void WithKeyRingLocked(Action action, TimeSpan timeout)
        {
            ArgumentNullException.ThrowIfNull(action);
            using var connection = (NpgsqlConnection)Open();
            // lock_timeout bounds the wait for an advisory lock too; set for this wait only.
            try
            {
                Execute(connection, FormattableString.Invariant($"SET lock_timeout = {Math.Max(1, (long)timeout.TotalMilliseconds)}; SELECT pg_advisory_lock({KeyRingLock}); RESET lock_timeout"));
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
            {
                throw LockTimeout(timeout);
            }
            try
            {
                action();
            }
            finally
            {
                Execute(connection, FormattableString.Invariant($"SELECT pg_advisory_unlock({KeyRingLock})"));
            }
        }

        private static void Execute(NpgsqlConnection connection, string sql)
        {
            using var command = new NpgsqlCommand(sql, connection);
            command.ExecuteNonQuery();
        }
    }
}
