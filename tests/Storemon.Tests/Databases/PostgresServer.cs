using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using Storemon.Storage.Postgres;

namespace Storemon.Tests.Databases;

/// <summary>
/// The PostgreSQL server of the whole test run, started on first use. With a connection string in
/// <c>STOREMON_TEST_POSTGRES</c> that server is used; otherwise <c>scripts/test-postgres.sh</c> starts a
/// throwaway one (initdb in a temporary folder, a free port) that is stopped and deleted when the run
/// ends. Each test then gets a database of its own, so tests run in parallel without meeting.
/// </summary>
internal static class PostgresServer
{
    public const string ConnectionVariable = "STOREMON_TEST_POSTGRES";

    // The folder of each throwaway server is named after the test process that started it, so that a
    // later run can tell the servers of crashed runs (whose process is gone) and stop them.
    private const string FolderPrefix = "storemon-test-postgres-";

    private static readonly Lazy<Server> Instance = new(Start);

    /// <summary>Why no PostgreSQL server can be had in this run, or null when one is running.</summary>
    public static string? Unavailable => Instance.Value.Error;

    /// <summary>Creates an empty database with a name of its own and returns its connection string.</summary>
    public static string CreateDatabase() => PostgresDatabases.CreateFresh(
        Instance.Value.ConnectionString ?? throw new InvalidOperationException(Instance.Value.Error),
        "storemon_test_" + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()));

    /// <summary>Drops a database that <see cref="CreateDatabase"/> made, closing whatever connections it still has.</summary>
    public static void DropDatabase(string connectionString) =>
        PostgresDatabases.Drop(Instance.Value.ConnectionString!, new NpgsqlConnectionStringBuilder(connectionString).Database!);

    private sealed record Server(string? ConnectionString, string? Error);

    private static Server Start()
    {
        var given = Environment.GetEnvironmentVariable(ConnectionVariable);
        if (!string.IsNullOrWhiteSpace(given))
        {
            return Connect(given, $"the server of {ConnectionVariable}");
        }

        RemoveServersOfEndedRuns();
        var script = FindScript();
        if (script is null)
        {
            return new Server(null, $"scripts/test-postgres.sh was not found above {AppContext.BaseDirectory}.");
        }
        string? error = null;
        // A free port can be taken by someone else before the server binds it: then try another.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var folder = Path.Combine(Path.GetTempPath(), $"{FolderPrefix}{Environment.ProcessId}-{Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture)[..8]}");
            var (exitCode, output, errors) = RunScript(script, "start", folder, FreePort().ToString(CultureInfo.InvariantCulture));
            if (exitCode == 0)
            {
                AppDomain.CurrentDomain.ProcessExit += (_, _) => RunScript(script, "stop", folder);
                return Connect(output.Trim(), $"the server started in {folder}");
            }
            RunScript(script, "stop", folder);
            error = $"scripts/test-postgres.sh could not start a server (exit code {exitCode}): {errors.Trim()}";
            if (!errors.Contains("already in use", StringComparison.Ordinal))
            {
                break;
            }
        }
        return new Server(null, error);

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

    // A server whose test process died (killed, or crashed before its exit hook ran) would otherwise
    // run until the machine stops.
    private static void RemoveServersOfEndedRuns()
    {
        var script = FindScript();
        if (script is null)
        {
            return;
        }
        foreach (var folder in Directory.EnumerateDirectories(Path.GetTempPath(), FolderPrefix + "*"))
        {
            var owner = Path.GetFileName(folder)[FolderPrefix.Length..].Split('-')[0];
            if (int.TryParse(owner, CultureInfo.InvariantCulture, out var pid) && !IsRunning(pid))
            {
                RunScript(script, "stop", folder);
            }
        }

        static bool IsRunning(int pid)
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                return !process.HasExited;
            }
            catch (ArgumentException)
            {
                return false;
            }
        }
    }

    private static string? FindScript()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, "scripts", "test-postgres.sh");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static ChildProcess.Result RunScript(string script, params string[] arguments)
    {
        try
        {
            return ChildProcess.Run("bash", [script, .. arguments], TimeSpan.FromMinutes(2));
        }
        catch (TimeoutException e)
        {
            return new ChildProcess.Result(-1, "", e.Message);
        }
    }
}
