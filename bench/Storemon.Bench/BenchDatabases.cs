using System.Globalization;
using Storemon.Storage.Postgres;

namespace Storemon.Bench;

/// <summary>
/// Where the benchmark keeps its databases: SQLite files in its work folder, or scratch databases on
/// a PostgreSQL server. Each is made afresh on request; all are removed at the end.
/// </summary>
internal abstract class BenchDatabases : IDisposable
{
    /// <summary>The database engine, as the figures name it.</summary>
    public abstract string Kind { get; }

    /// <summary>An empty database for <paramref name="name"/> (what an earlier one of that name held is gone): its --db setting.</summary>
    public abstract string Fresh(string name);

    /// <summary>Removes the database <see cref="Fresh"/> made for <paramref name="name"/> now, not at the end.</summary>
    public abstract void Drop(string name);

    public abstract void Dispose();

    /// <summary>SQLite files in <paramref name="work"/>, or scratch databases on the server of <paramref name="server"/> when given.</summary>
    public static BenchDatabases For(string? server, string work) =>
        server is null ? new SqliteFiles(work) : new PostgresScratch(PostgresConnectionString.Normalize(server));

    private sealed class SqliteFiles(string work) : BenchDatabases
    {
        public override string Kind => "SQLite";

        public override string Fresh(string name)
        {
            var path = Path.Combine(work, name + ".db");
            foreach (var suffix in new[] { "", "-wal", "-shm" })
            {
                File.Delete(path + suffix);
            }
            return path;
        }

        public override void Drop(string name) => Fresh(name);

        // The files go with the work folder.
        public override void Dispose() { }
    }

    private sealed class PostgresScratch(string maintenance) : BenchDatabases
    {
        // Random, so that benchmarks run at the same time against one server do not drop each other's databases.
        private readonly string _prefix = "storemon_bench_" + Random.Shared.Next(1 << 30).ToString("x8", CultureInfo.InvariantCulture);
        private readonly HashSet<string> _made = [];

        public override string Kind => "PostgreSQL";

        public override string Fresh(string name)
        {
            var database = _prefix + "_" + name;
            _made.Add(database);
            return PostgresDatabases.CreateFresh(maintenance, database);
        }

        public override void Drop(string name)
        {
            var database = _prefix + "_" + name;
            PostgresDatabases.Drop(maintenance, database);
            _made.Remove(database);
        }

        public override void Dispose()
        {
            foreach (var database in _made)
            {
                PostgresDatabases.Drop(maintenance, database);
            }
        }
    }
}
