using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using NodaTime.Text;
using Storemon.Engine;
using Storemon.Reports;
using Storemon.Storage;
using Storemon.Storage.Sqlite;
using Xunit.Abstractions;

namespace Storemon.Tests.EndToEnd;

/// <summary>
/// The real service process, killed with SIGKILL while a report is running or waiting, then started
/// again on the same database: every report must still complete, with the CSV the engine computes.
/// </summary>
public sealed class KilledServerTests(LargeDatabase data, ITestOutputHelper log) : IClassFixture<LargeDatabase>, IDisposable
{
    // Generous: the machine is small and shared, and other test classes run beside these.
    private static readonly TimeSpan ReportTimeout = TimeSpan.FromSeconds(90);

    // A restarted service runs a killed report at once (it takes a couple of seconds here): a bound well
    // under the ~30 s a lock left by the dead process would cost, so such a delay cannot come back unseen.
    private static readonly TimeSpan RestartTimeout = TimeSpan.FromSeconds(20);

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("storemon-e2e-");
    private readonly List<ServerProcess> _servers = [];
    private readonly LargeDatabase _data = Describe(data, log);

    public void Dispose()
    {
        foreach (var server in _servers)
        {
            server.Dispose();
        }
        SqliteConnection.ClearAllPools();
        try
        {
            _folder.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary folder is not a test failure.
        }
    }

    [Fact]
    public async Task A_report_running_when_the_process_is_killed_completes_after_a_restart()
    {
        var database = _data.CopyTo(_folder.FullName);
        var first = await Start(database);
        var id = await Trigger(first);
        var progress = await WaitUntilUnderway(first, id);
        log.WriteLine($"killed at {progress.Done:N0} of {progress.Total:N0} stores");
        first.Kill();

        var left = Record(database, id);
        Assert.Equal(ReportStatus.Running, left.Status);
        Assert.Equal(1, left.Attempts);
        Assert.True(left.StoresDone < left.StoresTotal, "The report was not killed mid-run.");

        var second = await Start(database);
        await AssertCompletesWithTheEngineCsv(second, database, id);
        Assert.Equal(2, (await Resource(second, id)).GetProperty("attempts").GetInt32());
    }

    [Fact]
    public async Task A_report_still_pending_when_the_process_is_killed_runs_after_a_restart()
    {
        var database = _data.CopyTo(_folder.FullName);
        // One worker, busy with the first report: the second one waits in the queue, not yet run.
        var first = await Start(database, ("Reports__Workers", "1"));
        var busy = await Trigger(first);
        await WaitUntilUnderway(first, busy);
        var waiting = await Trigger(first, """{"interpolation":"carry-forward"}""");
        Assert.Equal("Pending", (await Resource(first, waiting)).GetProperty("status").GetString());
        first.Kill();

        Assert.Equal(ReportStatus.Running, Record(database, busy).Status);
        var left = Record(database, waiting);
        Assert.Equal(ReportStatus.Pending, left.Status);
        Assert.Equal(0, left.Attempts);

        var second = await Start(database, ("Reports__Workers", "1"));
        await AssertCompletesWithTheEngineCsv(second, database, waiting);
        await AssertCompletesWithTheEngineCsv(second, database, busy);
    }

    private static LargeDatabase Describe(LargeDatabase data, ITestOutputHelper log)
    {
        log.WriteLine($"{data.PollRows:N0} polls of {LargeDatabase.Stores:N0} stores, prepared in {data.PreparedIn.TotalSeconds:F1} s");
        return data;
    }

    private async Task<ServerProcess> Start(string database, params (string Key, string Value)[] settings)
    {
        var started = Stopwatch.StartNew();
        var server = await ServerProcess.Start(database, settings);
        _servers.Add(server);
        log.WriteLine($"service up at {server.Address} in {started.Elapsed.TotalSeconds:F1} s");
        return server;
    }

    private static async Task<string> Trigger(ServerProcess server, string? body = null)
    {
        using var client = server.Client();
        using var content = body is null ? null : new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await client.PostAsync("/trigger_report", content);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("report_id").GetString()!;
    }

    /// <summary>Waits until the report has written some stores, and fails if it finishes first.</summary>
    private static async Task<(int Done, int Total)> WaitUntilUnderway(ServerProcess server, string id)
    {
        using var client = server.Client();
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < ReportTimeout)
        {
            var body = await client.GetFromJsonAsync<JsonElement>($"/get_report?report_id={id}");
            var status = body.GetProperty("status").GetString();
            Assert.True(status == "Running", $"The report finished ({status}) before it could be killed: the data is too small for this machine.");
            var progress = body.GetProperty("progress");
            var done = progress.GetProperty("stores_done").GetInt32();
            if (done > 0)
            {
                return (done, progress.GetProperty("stores_total").GetInt32());
            }
            await Task.Delay(10);
        }
        throw new TimeoutException($"Report {id} made no progress in {ReportTimeout.TotalSeconds} s. The service's output:\n{server.Output}");
    }

    private async Task AssertCompletesWithTheEngineCsv(ServerProcess server, string database, string id)
    {
        using var client = server.Client();
        var waited = Stopwatch.StartNew();
        JsonElement body;
        do
        {
            if (waited.Elapsed > RestartTimeout)
            {
                throw new TimeoutException($"Report {id} was not finished {RestartTimeout.TotalSeconds} s after the restart. The service's output:\n{server.Output}");
            }
            await Task.Delay(100);
            body = await client.GetFromJsonAsync<JsonElement>($"/get_report?report_id={id}");
        }
        while (body.GetProperty("status").GetString() == "Running");
        log.WriteLine($"report {id} {body.GetProperty("status").GetString()} {waited.Elapsed.TotalSeconds:F1} s after the restart");

        Assert.Equal("Complete", body.GetProperty("status").GetString());
        var resource = await Resource(server, id);
        var asOf = InstantPattern.ExtendedIso.Parse(resource.GetProperty("as_of").GetString()!).Value;
        var interpolation = resource.GetProperty("interpolation").GetString() == "nearest" ? Interpolation.Nearest : Interpolation.CarryForward;
        using var expected = new StringWriter();
        using (var store = new SqliteMonitoringStore(database))
        {
            ReportRunner.Run(store, new ReportRequest(asOf, interpolation), expected);
        }
        var csv = body.GetProperty("csv").GetString()!;
        Assert.Equal(resource.GetProperty("row_count").GetInt32() + 1, csv.Count(c => c == '\n'));
        Assert.Equal(expected.ToString(), csv);
    }

    private static async Task<JsonElement> Resource(ServerProcess server, string id)
    {
        using var client = server.Client();
        return await client.GetFromJsonAsync<JsonElement>($"/reports/{id}");
    }

    // What the killed process left in the database, read straight from the file.
    private static ReportRecord Record(string database, string id)
    {
        using var store = new SqliteMonitoringStore(database);
        return store.FindReport(id)!;
    }
}
