using Npgsql;
using Storemon.Tests.Databases;

namespace Storemon.Tests.Import;

/// <summary>
/// A test database whose disk runs out of space when <see cref="Disk"/> is filled. On SQLite, its file
/// (with its write-ahead log and shared memory, and a service's job queue beside it) is on the small
/// disk; SQLite's own temporary files are not written at all (the store keeps them in memory), so
/// every write of an import meets the limit. On PostgreSQL the database's tablespace is on the small
/// disk, tables, indexes and temporary tables alike, while the server's write-ahead log stays on its
/// own disk: a server that cannot write its log stops altogether, a full tablespace fails the
/// statement that needed the space (SQLSTATE 53100), which is what an import must survive.
/// </summary>
/// <remarks>
/// PostgreSQL must run on this machine, as a superuser connects to it (as the tests' own server does);
/// elsewhere the test is skipped with the reason, or fails under <c>CI=true</c>. Disposing drops the
/// database and the tablespace and unmounts the disk, whatever failed before.
/// </remarks>
internal sealed class DatabaseOnSmallDisk : IDisposable
{
    private const int SqliteMebibytes = 4;
    // An empty PostgreSQL database is ~8 MB of catalogs, a service's (with the job queue) a little more.
    private const int PostgresMebibytes = 24;

    private readonly string? _mountPoint;
    private SmallDisk? _disk;
    private string? _maintenance;
    private string? _tablespace;

    private DatabaseOnSmallDisk(TestDatabase database, string? mountPoint)
    {
        Database = database;
        _mountPoint = mountPoint;
    }

    public TestDatabase Database { get; }

    public SmallDisk Disk => _disk!;

    /// <summary>
    /// A new database on a small disk: empty, or (<paramref name="forService"/>) as a service finds its
    /// database after an earlier start (see <see cref="TestDatabase.CreateForService"/>).
    /// </summary>
    public static DatabaseOnSmallDisk Create(DatabaseKind kind, bool forService)
    {
        var database = forService ? TestDatabase.CreateForService(kind) : TestDatabase.Create(kind);
        if (kind == DatabaseKind.Sqlite)
        {
            // The database's folder, empty until the database is made.
            var small = new DatabaseOnSmallDisk(database, mountPoint: null);
            try
            {
                small._disk = SmallDisk.MountOn(Path.GetDirectoryName(database.Connection)!, SqliteMebibytes);
                return small;
            }
            catch
            {
                small.Dispose();
                throw;
            }
        }
        // The server's user must reach the tablespace: a folder under the temporary folder when every
        // folder above it lets others through, else under /tmp (a run's own TMPDIR is often private).
        var mountPoint = Path.Combine(OthersCanEnter(Path.GetTempPath()) ? Path.GetTempPath() : "/tmp", $"storemon-test-disk-{Guid.NewGuid():N}");
        Directory.CreateDirectory(mountPoint);
        var onDisk = new DatabaseOnSmallDisk(database, mountPoint);
        try
        {
            onDisk._disk = SmallDisk.MountOn(mountPoint, PostgresMebibytes);
            onDisk.MoveToTablespace();
            return onDisk;
        }
        catch
        {
            onDisk.Dispose();
            throw;
        }
    }

    private void MoveToTablespace()
    {
        var name = new NpgsqlConnectionStringBuilder(Database.Connection).Database!;   // made now, if not yet
        _maintenance = new NpgsqlConnectionStringBuilder(Database.Connection) { Database = "postgres", Pooling = false }.ConnectionString;
        using var maintenance = new NpgsqlConnection(_maintenance);
        maintenance.Open();
        string dataDirectory;
        using (var show = new NpgsqlCommand("SHOW data_directory", maintenance))
        {
            dataDirectory = (string)show.ExecuteScalar()!;
        }
        if (!Directory.Exists(dataDirectory))
        {
            throw SmallDisk.Unavailable($"the PostgreSQL server's data directory {dataDirectory} is not on this machine, so no tablespace on a small disk can be made for it");
        }
        // The tablespace's folder belongs to the server's user, as PostgreSQL demands.
        var location = Path.Combine(Disk.Folder, "tablespace");
        Directory.CreateDirectory(location);
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("A small disk is a tmpfs, on Linux.");   // SmallDisk.MountOn has skipped already
        }
        File.SetUnixFileMode(location, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var chown = ChildProcess.Run("chown", [$"--reference={dataDirectory}", location], TimeSpan.FromSeconds(30));
        if (chown.ExitCode != 0)
        {
            throw new InvalidOperationException($"chown of {location} failed: {chown.StandardError.Trim()}");
        }
        _tablespace = name + "_disk";
        Execute(maintenance, $"CREATE TABLESPACE {_tablespace} LOCATION '{location}'");
        Execute(maintenance, $"ALTER DATABASE {name} SET TABLESPACE {_tablespace}");
    }

    public void Dispose()
    {
        if (_mountPoint is null)
        {
            // SQLite: the disk is the database's folder, which the database deletes once it is unmounted.
            try
            {
                _disk?.Dispose();
            }
            finally
            {
                Database.Dispose();
            }
            return;
        }
        // PostgreSQL: the database goes (its files on the small disk with it), then the tablespace, then
        // the disk; each step is tried whatever the one before did.
        try
        {
            Database.Dispose();
            if (_tablespace is not null)
            {
                using var maintenance = new NpgsqlConnection(_maintenance);
                maintenance.Open();
                Execute(maintenance, $"DROP TABLESPACE IF EXISTS {_tablespace}");
            }
        }
        finally
        {
            _disk?.Dispose();
            Directory.Delete(_mountPoint, recursive: true);
        }
    }

    private static bool OthersCanEnter(string folder)
    {
        for (var directory = new DirectoryInfo(folder); directory is not null; directory = directory.Parent)
        {
            if ((directory.UnixFileMode & UnixFileMode.OtherExecute) == 0)
            {
                return false;
            }
        }
        return true;
    }

    private static void Execute(NpgsqlConnection connection, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}
