using System.Security.Cryptography;
using System.Text;
using Hangfire.PostgreSql;
using Npgsql;
using Storemon.Storage;

namespace Storemon.Tests.Databases;

/// <summary>What a new PostgreSQL database of a test starts with.</summary>
internal enum PostgresSchema
{
    /// <summary>Nothing: as a new database of a deployment is before anything ran on it.</summary>
    None,

    /// <summary>storemon's tables, as its migrations make them.</summary>
    Storemon,

    /// <summary>storemon's tables and the job queue's (schema <c>hangfire</c>), as the service's first start makes them.</summary>
    StoremonAndJobQueue,
}

/// <summary>
/// The PostgreSQL server of the whole test run, started on first use. With a connection string in
/// <c>STOREMON_TEST_POSTGRES</c> that server is used; otherwise <c>scripts/test-postgres.sh</c> starts a
/// throwaway one (initdb in a temporary folder, a free port) that is stopped and deleted when the run
/// ends. Each test then gets a database of its own, so tests run in parallel without meeting.
/// </summary>
/// <remarks>
/// Migrating a database costs a few hundred milliseconds, and the job queue's schema as much again,
/// for each of hundreds of tests. A database that starts with them is therefore a copy of a template
/// made by the same code (<c>CREATE DATABASE … TEMPLATE</c>), once per server and version of the scripts.
/// </remarks>
internal static class PostgresServer
{
    public const string ConnectionVariable = "STOREMON_TEST_POSTGRES";

    private static readonly Lazy<Server> Instance = new(Start);

    /// <summary>Why no PostgreSQL server can be had in this run, or null when one is running.</summary>
    public static string? Unavailable => Instance.Value.Error;

    // Found on the server, made by an earlier run, or made on first use (see Template).
    private static readonly Lazy<string> MigratedTemplate = new(() => Template("migrated", withJobQueue: false));
    private static readonly Lazy<string> ServiceTemplate = new(() => Template("service", withJobQueue: true));

    // The advisory lock under which runs on the same server make their templates one at a time.
    private const long TemplateLock = 0x73746f72656d6f6e - 1; // next to storemon's own ("storemon")

    /// <summary>A name for a new database of one test, and the connection string to it; <see cref="CreateDatabase"/> makes it.</summary>
    public static (string Name, string ConnectionString) NameDatabase()
    {
        var name = "storemon_test_" + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        return (name, ConnectionTo(name));
    }

    /// <summary>Makes the database <paramref name="name"/>: empty, or with <paramref name="schema"/> already made.</summary>
    public static void CreateDatabase(string name, PostgresSchema schema)
    {
        var template = schema switch
        {
            PostgresSchema.None => null,
            PostgresSchema.Storemon => MigratedTemplate.Value,
            PostgresSchema.StoremonAndJobQueue => ServiceTemplate.Value,
            _ => throw new ArgumentOutOfRangeException(nameof(schema), schema, null),
        };
        if (template is null)
        {
            Maintain($"CREATE DATABASE {name}");
        }
        else
        {
            CopyDatabase(name, template);
        }
    }

    /// <summary>
    /// Makes the database <paramref name="name"/> as a copy of <paramref name="source"/>, which no session
    /// may be connected to (PostgreSQL waits a few seconds for those closing, then refuses).
    /// </summary>
    public static void CopyDatabase(string name, string source)
    {
        ClosePooledConnections(source);
        // FILE_COPY copies the files as they are: a third of the CPU time of the default, which writes
        // every page of the copy to the write-ahead log.
        Maintain($"CREATE DATABASE {name} TEMPLATE {source} STRATEGY FILE_COPY");
    }

    /// <summary>Drops a database that <see cref="CreateDatabase"/> made, closing whatever connections it still has.</summary>
    public static void DropDatabase(string name)
    {
        ClosePooledConnections(name);
        Maintain($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    }

    // Only this database's pooled connections: clearing every pool would close those of the tests
    // running beside this one, which would then open them again.
    private static void ClosePooledConnections(string name)
    {
        using var pooled = new NpgsqlConnection(ConnectionTo(name));
        NpgsqlConnection.ClearPool(pooled);
    }

    private static string ConnectionTo(string name) =>
        new NpgsqlConnectionStringBuilder(Instance.Value.ConnectionString ?? throw new InvalidOperationException(Instance.Value.Error)) { Database = name }.ConnectionString;

    private static void Maintain(string statement)
    {
        using var connection = new NpgsqlConnection(Instance.Value.ConnectionString ?? throw new InvalidOperationException(Instance.Value.Error));
        connection.Open();
        Execute(connection, statement);
    }

    // A template is kept on the server for later runs: its name holds a hash of the SQL that makes it
    // (storemon's migrations, the job queue's install scripts), so a changed script makes a new one and an
    // existing one is what the scripts make now. It is made under another name and renamed when done, so
    // that a run that dies half way leaves nothing another could take for a template.
    private static string Template(string kind, bool withJobQueue)
    {
        var name = $"storemon_template_{kind}_{SchemaHash(withJobQueue)}";
        using var maintenance = new NpgsqlConnection(Instance.Value.ConnectionString ?? throw new InvalidOperationException(Instance.Value.Error));
        maintenance.Open();
        Execute(maintenance, $"SELECT pg_advisory_lock({TemplateLock})");
        try
        {
            using (var exists = new NpgsqlCommand("SELECT count(*) FROM pg_database WHERE datname = @name", maintenance))
            {
                exists.Parameters.AddWithValue("name", name);
                if ((long)exists.ExecuteScalar()! == 1)
                {
                    return name;
                }
            }
            var unfinished = name + "_new";
            Execute(maintenance, $"DROP DATABASE IF EXISTS {unfinished} WITH (FORCE)");
            Execute(maintenance, $"CREATE DATABASE {unfinished}");
            // CREATE DATABASE … TEMPLATE and the rename refuse a database that any session is connected to:
            // these connections are closed, not pooled, once done.
            var connectionString = new NpgsqlConnectionStringBuilder(ConnectionTo(unfinished)) { Pooling = false }.ConnectionString;
            using (var store = MonitoringStores.Open(connectionString))
            {
                store.Migrate();
            }
            if (withJobQueue)
            {
                // What the service's job storage does at its first start (PrepareSchemaIfNecessary, schema hangfire).
                using var connection = new NpgsqlConnection(connectionString);
                connection.Open();
                PostgreSqlObjectsInstaller.Install(connection, "hangfire");
            }
            Execute(maintenance, $"ALTER DATABASE {unfinished} RENAME TO {name}");
            return name;
        }
        finally
        {
            Execute(maintenance, $"SELECT pg_advisory_unlock({TemplateLock})");
        }
    }

    private static string SchemaHash(bool withJobQueue)
    {
        var scripts = typeof(MonitoringStores).Assembly.GetManifestResourceNames()
            .Where(static name => name.Contains(".Storage.Postgres.Migrations.", StringComparison.Ordinal))
            .Select(static name => (typeof(MonitoringStores).Assembly, name));
        if (withJobQueue)
        {
            scripts = scripts.Concat(typeof(PostgreSqlObjectsInstaller).Assembly.GetManifestResourceNames()
                .Where(static name => name.EndsWith(".sql", StringComparison.Ordinal))
                .Select(static name => (typeof(PostgreSqlObjectsInstaller).Assembly, name)));
        }
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (assembly, name) in scripts.OrderBy(static script => script.name, StringComparer.Ordinal))
        {
            using var script = assembly.GetManifestResourceStream(name)!;
            using var content = new MemoryStream();
            script.CopyTo(content);
            hash.AppendData(Encoding.UTF8.GetBytes(name));
            hash.AppendData(content.ToArray());
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }

    private static void Execute(NpgsqlConnection connection, string statement)
    {
        using var command = new NpgsqlCommand(statement, connection);
        command.ExecuteNonQuery();
    }

    private sealed record Server(string? ConnectionString, string? Error);

    private static Server Start()
    {
        var given = Environment.GetEnvironmentVariable(ConnectionVariable);
        if (!string.IsNullOrWhiteSpace(given))
        {
            return Connect(given, $"the server of {ConnectionVariable}");
        }

        ThrowawayPostgres.RemoveServersOfEndedRuns();
        try
        {
            var server = ThrowawayPostgres.Start();
            AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Dispose();
            return Connect(server.ConnectionString, "the server started by scripts/test-postgres.sh");
        }
        catch (InvalidOperationException e)
        {
            return new Server(null, e.Message);
        }

        static Server Connect(string connectionString, string what)
        {
            try
            {
                using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Timeout = 10 }.ConnectionString);
                connection.Open();
                return new Server(connectionString, null);
            }
            catch (Exception e) when (e is NpgsqlException or ArgumentException or InvalidOperationException or TimeoutException)
            {
                return new Server(null, $"{what} does not answer: {e.Message}");
            }
        }
    }
}
