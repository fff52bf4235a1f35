using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Storemon.Tests.EndToEnd;

/// <summary>
/// The real service as a child process: <c>dotnet Storemon.Api.dll</c> from the test's output folder,
/// over a given database, listening on a port the system picks, or as a worker (no HTTP).
/// <see cref="Kill"/> is SIGKILL on Linux: no shutdown code of the service runs. Its console output is
/// kept for failure messages.
/// </summary>
internal sealed partial class ServerProcess : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServerProcess(string database, IEnumerable<(string Key, string Value)> settings)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The service's folder is its content root, where its appsettings.json is.
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Storemon.Api.dll"));
        // Port 0: the system picks a free port, which the service then logs as "Now listening on".
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add("http://127.0.0.1:0");
        start.Environment["Storemon__Database"] = database;
        start.Environment["Logging__Console__FormatterName"] = "simple";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, line) => Keep(line.Data);
        _process.ErrorDataReceived += (_, line) => Keep(line.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The process id, which Hangfire also writes into the id of the job server it runs.</summary>
    public int Id => _process.Id;

    /// <summary>The service's base address, once it listens.</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>Everything the service wrote to its console so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// Starts the service over <paramref name="database"/> with extra settings given as environment
    /// variables (<c>Reports__Workers</c>, …), and returns once its /health answers 200.
    /// </summary>
    public static async Task<ServerProcess> Start(string database, params (string Key, string Value)[] settings)
    {
        var server = new ServerProcess(database, settings);
        try
        {
            await server.WaitUntilHealthy();
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Starts the service as a worker (<c>Storemon:Role=Worker</c>: report jobs, no HTTP) over
    /// <paramref name="database"/>, and returns once its host has started.
    /// </summary>
    public static async Task<ServerProcess> StartWorker(string database, params (string Key, string Value)[] settings)
    {
        var worker = new ServerProcess(database, [("Storemon__Role", "Worker"), .. settings]);
        try
        {
            var exited = worker._process.WaitForExitAsync();
            if (await Task.WhenAny(worker._started.Task, exited, Task.Delay(StartTimeout)) != worker._started.Task)
            {
                throw new InvalidOperationException($"The worker did not start in {StartTimeout.TotalSeconds} s. Its output:\n{worker.Output}");
            }
            return worker;
        }
        catch
        {
            worker.Dispose();
            throw;
        }
    }

    /// <summary>Runs the service until it ends by itself (as when it refuses its settings); its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunToExit(string database, params (string Key, string Value)[] settings)
    {
        using var server = new ServerProcess(database, settings);
        using var timeout = new CancellationTokenSource(StartTimeout);
        await server._process.WaitForExitAsync(timeout.Token);
        // The exit is seen before the last lines of output are: WaitForExit without a timeout waits for them.
        server._process.WaitForExit();
        return (server._process.ExitCode, server.Output);
    }

    public HttpClient Client() => new() { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>SIGKILL, and waits until the process is gone.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        _process.WaitForExit();
    }

    public void Dispose()
    {
        try
        {
            Kill();
        }
        catch (InvalidOperationException)
        {
            // It never started.
        }
        _process.Dispose();
    }

    private async Task WaitUntilHealthy()
    {
        var deadline = Stopwatch.StartNew();
        var exited = _process.WaitForExitAsync();
        var listening = await Task.WhenAny(_listening.Task, exited, Task.Delay(StartTimeout));
        if (listening != _listening.Task)
        {
            throw new InvalidOperationException($"The service did not start listening in {StartTimeout.TotalSeconds} s. Its output:\n{Output}");
        }
        Address = _listening.Task.Result;

        using var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(10) };
        while (deadline.Elapsed < StartTimeout)
        {
            try
            {
                using var health = await client.GetAsync("/health");
                if (health.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            if (_process.HasExited)
            {
                break;
            }
            await Task.Delay(100);
        }
        throw new InvalidOperationException($"The service's /health did not answer 200 in {StartTimeout.TotalSeconds} s. Its output:\n{Output}");
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
        if (ListeningOn().Match(line) is { Success: true } match)
        {
            _listening.TrySetResult(new Uri(match.Groups[1].Value));
        }
        // The generic host's own message once every hosted service (the job server among them) has started.
        if (line.Contains("Application started.", StringComparison.Ordinal))
        {
            _started.TrySetResult();
        }
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningOn();
}
