using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Storemon.Tests.Databases;

/// <summary>
/// A PostgreSQL server of its own, started by <c>scripts/test-postgres.sh</c>: initdb in a temporary
/// folder named after this test process, on a free port; stopped and deleted by <see cref="Dispose"/>.
/// <see cref="Halt"/> and <see cref="Resume"/> stop and start it again on the same data, as an outage
/// and an operator's restart do.
/// </summary>
internal sealed class ThrowawayPostgres : IDisposable
{
    // The folder of each server is named after the test process that started it, so that a later run
    // can tell the servers of crashed runs (whose process is gone) and stop them.
    private const string FolderPrefix = "storemon-test-postgres-";

    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(2);

    private readonly string _script;
    private readonly string _folder;
    private readonly string _port;

    private ThrowawayPostgres(string script, string folder, string port, string connectionString)
    {
        _script = script;
        _folder = folder;
        _port = port;
        ConnectionString = connectionString;
    }

    /// <summary>The connection string to the server's <c>postgres</c> database, as the superuser.</summary>
    public string ConnectionString { get; }

    /// <summary>
    /// Starts a server; throws <see cref="InvalidOperationException"/> with the reason when none can be
    /// started (no script, no PostgreSQL binaries).
    /// </summary>
    public static ThrowawayPostgres Start()
    {
        var script = FindScript() ?? throw new InvalidOperationException($"scripts/test-postgres.sh was not found above {AppContext.BaseDirectory}.");
        string? error = null;
        // A free port can be taken by someone else before the server binds it: then try another.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var folder = Path.Combine(Path.GetTempPath(), $"{FolderPrefix}{Environment.ProcessId}-{Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture)[..8]}");
            var port = FreePort().ToString(CultureInfo.InvariantCulture);
            var (exitCode, output, errors) = RunScript(script, "start", folder, port);
            if (exitCode == 0)
            {
                return new ThrowawayPostgres(script, folder, port, output.Trim());
            }
            RunScript(script, "stop", folder);
            error = $"scripts/test-postgres.sh could not start a server (exit code {exitCode}): {errors.Trim()}";
            if (!errors.Contains("already in use", StringComparison.Ordinal))
            {
                break;
            }
        }
        throw new InvalidOperationException(error);
    }

    /// <summary>Fast shutdown (<c>pg_ctl stop -m fast</c>): every session ended, its transaction rolled back; the data kept.</summary>
    public void Halt() => Expect("halt", _folder);

    /// <summary>Starts the halted server again, on the same port, and returns once it takes connections.</summary>
    public void Resume() => Expect("resume", _folder, _port);

    public void Dispose() => RunScript(_script, "stop", _folder);

    /// <summary>Stops and deletes the servers of earlier test processes that ended without doing so themselves (killed, or crashed).</summary>
    public static void RemoveServersOfEndedRuns()
    {
        if (FindScript() is not { } script)
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

    private void Expect(params string[] arguments)
    {
        var (exitCode, output, errors) = RunScript(_script, arguments);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"scripts/test-postgres.sh {string.Join(' ', arguments)} failed (exit code {exitCode}): {output.Trim()} {errors.Trim()}");
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

    /// <summary>A port nothing listens on: one the system just handed out, and closed again.</summary>
    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static ChildProcess.Result RunScript(string script, params string[] arguments)
    {
        try
        {
            return ChildProcess.Run("bash", [script, .. arguments], ScriptTimeout);
        }
        catch (TimeoutException e)
        {
            return new ChildProcess.Result(-1, "", e.Message);
        }
    }
}
