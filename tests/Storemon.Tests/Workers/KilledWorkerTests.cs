using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Storemon.Tests.EndToEnd;
using Xunit.Abstractions;

namespace Storemon.Tests.Workers;

/// <summary>
/// The service as it runs across machines, in real processes on one PostgreSQL database: one API
/// process and two workers, each report split in two store shards. A process killed with SIGKILL
/// mid-report loses nothing: the report completes with the CSV the engine computes in one piece.
/// </summary>
[Collection(RunAlone.Name)]
public sealed class KilledWorkerTests(ReportDatabase data, ITestOutputHelper log) : IClassFixture<ReportDatabase>, IDisposable
{
    // Generous: the machine is small and shared (these tests run alone, but other runs may not).
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    // One job at a time per worker process, so that the two shards need both processes; a heartbeat
    // older than 5 s marks a dead worker's shard or report (the service checks every 2.5 s).
    private static readonly (string Key, string Value)[] Settings =
    [
        ("Reports__Workers", "1"),
        ("Reports__Shards", "2"),
        ("Reports__StaleAfter", "00:00:05"),
    ];

    private readonly List<ServerProcess> _processes = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            process.Dispose();
        }
    }

    [SkippableFact]
    public async Task Killing_the_worker_that_runs_the_report_mid_report_has_the_other_worker_run_it_again_to_the_engines_csv()
    {
        var (api, workers) = await StartCluster();
        var id = await TriggerUntilBothShardsAreUnderway(api);

        var owner = workers.Single(worker => worker.Id == RunnerOf(id));
        owner.Kill();
        Log($"killed worker {workers.IndexOf(owner) + 1} (pid {owner.Id}), which runs the report, at {StoresDone(id):N0} stores done");

        var report = await WaitUntilFinished(api, id);
        // Its snapshot died with it: the report was run again, whole, by the worker left.
        Assert.Equal(2, report.GetProperty("attempts").GetInt32());
        await AssertTheEnginesCsv(api, id, report);
    }

    [SkippableFact]
    public async Task Killing_the_helper_mid_shard_has_the_reports_worker_compute_that_shard_to_the_engines_csv()
    {
        var (api, workers) = await StartCluster();
        var id = await TriggerUntilBothShardsAreUnderway(api);

        var helper = workers.Single(worker => worker.Id != RunnerOf(id));
        helper.Kill();
        Log($"killed worker {workers.IndexOf(helper) + 1} (pid {helper.Id}), a helper, at {StoresDone(id):N0} stores done");
        // Its shard was left half done (the report's worker may have finished its own meanwhile).
        Assert.InRange(data.Database.Scalar($"SELECT count(*) FROM report_shard WHERE report_id = '{id}' AND status = 'Running'"), 1, 2);

        var report = await WaitUntilFinished(api, id);
        // Only the dead helper's shard was computed again, by the report's own worker: one attempt.
        Assert.Equal(1, report.GetProperty("attempts").GetInt32());
        await AssertTheEnginesCsv(api, id, report);
    }

    [SkippableFact]
    public async Task Killing_and_restarting_the_api_process_mid_report_changes_nothing()
    {
        var (api, _) = await StartCluster();
        var id = await TriggerUntilBothShardsAreUnderway(api);

        api.Kill();
        Log($"killed the API process at {StoresDone(id):N0} stores done");
        var restarted = await Start(ServerProcess.Start(data.Database.Connection, [("Storemon__Role", "Api"), .. Settings]), "API process restarted");

        var report = await WaitUntilFinished(restarted, id);
        Assert.Equal(1, report.GetProperty("attempts").GetInt32());
        await AssertTheEnginesCsv(restarted, id, report);
    }

    /// <summary>One API process and two workers over the shared database, once both workers take jobs.</summary>
    private async Task<(ServerProcess Api, List<ServerProcess> Workers)> StartCluster()
    {
        var database = data.Database.Connection;
        log.WriteLine(data.Description);
        _clock.Restart();
        var api = Start(ServerProcess.Start(database, [("Storemon__Role", "Api"), .. Settings]), "API process up");
        var workers = Enumerable.Range(1, 2).Select(n => Start(ServerProcess.StartWorker(database, Settings), $"worker {n} up")).ToList();
        await Task.WhenAll([api, .. workers]);
        var started = workers.Select(worker => worker.Result).ToList();
        await WaitFor(() => started.All(worker => data.Database.Scalar(
            $"SELECT count(*) FROM hangfire.server WHERE id LIKE '%:{worker.Id.ToString(CultureInfo.InvariantCulture)}:%'") == 1), "both workers registered with the job queue");
        return (api.Result, started);
    }

    private async Task<ServerProcess> Start(Task<ServerProcess> starting, string what)
    {
        var process = await starting;
        _processes.Add(process);
        Log($"{what} (pid {process.Id})");
        return process;
    }

    /// <summary>
    /// Triggers a report and waits until both its shards are being computed, so that each worker holds
    /// one. On a busy machine the report's own worker may finish its shard and take the other before
    /// the helper has started: then the report runs to its end, and another is triggered (the workers
    /// are warm by then).
    /// </summary>
    private async Task<string> TriggerUntilBothShardsAreUnderway(ServerProcess api)
    {
        for (var attempt = 1; ; attempt++)
        {
            var id = await Trigger(api);
            string? ended = null;
            await WaitFor(() =>
            {
                if (data.Database.Scalar($"SELECT count(*) FROM report_shard WHERE report_id = '{id}' AND status = 'Running' AND stores_done > 0") == 2)
                {
                    return true;
                }
                ended = data.Database.Text($"SELECT status FROM report WHERE id = '{id}' AND status IN ('Complete', 'Failed')");
                return ended is not null;
            }, $"report {id} underway or ended");
            if (ended is null)
            {
                return id;
            }
            Assert.True(attempt < 3, $"{attempt} reports ended ({ended}) before both shards were underway: the data is too small for this machine.");
            Log($"report {id} ended ({ended}) before both shards were underway; another");
        }
    }

    private async Task<string> Trigger(ServerProcess api)
    {
        using var client = api.Client();
        using var response = await client.PostAsync("/trigger_report", null);
        response.EnsureSuccessStatusCode();
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("report_id").GetString()!;
        Log($"report {id} triggered");
        return id;
    }

    /// <summary>The process id of the worker running the report's own job (Hangfire writes it into its server's id).</summary>
    private int RunnerOf(string id)
    {
        var server = data.Database.Text($"""
            SELECT s.data::jsonb ->> 'ServerId' FROM hangfire.job j JOIN hangfire.state s ON s.jobid = j.id
            WHERE j.invocationdata::text LIKE '%"Run"%' AND j.arguments::text LIKE '%{id}%' AND s.name = 'Processing'
            ORDER BY s.id DESC LIMIT 1
            """) ?? throw new InvalidOperationException($"No worker is processing the job of report {id}.");
        return int.Parse(server.Split(':')[^2], CultureInfo.InvariantCulture);
    }

    private long StoresDone(string id) => data.Database.Scalar($"SELECT stores_done FROM report WHERE id = '{id}'");

    private async Task<JsonElement> WaitUntilFinished(ServerProcess api, string id)
    {
        using var client = api.Client();
        JsonElement report = default;
        await WaitFor(async () =>
        {
            report = await client.GetFromJsonAsync<JsonElement>($"/reports/{id}");
            return report.GetProperty("status").GetString() is not ("Pending" or "Running");
        }, $"report {id} finished");
        Log($"report {id} {report.GetProperty("status").GetString()} after {report.GetProperty("attempts").GetInt32()} attempt(s)");
        Assert.True(report.GetProperty("status").GetString() == "Complete", $"The report did not complete: {report}");
        return report;
    }

    private async Task AssertTheEnginesCsv(ServerProcess api, string id, JsonElement report)
    {
        using var client = api.Client();
        var csv = await client.GetByteArrayAsync($"/reports/{id}/csv");

        Assert.Equal(data.EngineReport.Length, csv.Length);
        Assert.True(data.EngineReport.AsSpan().SequenceEqual(csv), "The report's CSV differs from the engine's.");
        Assert.Equal(data.EngineReport.Count(b => b == '\n') - 1, report.GetProperty("row_count").GetInt32());
        Assert.Equal(0, data.Database.Scalar($"SELECT count(*) FROM report_shard WHERE report_id = '{id}'"));
    }

    private Task WaitFor(Func<bool> condition, string what) => WaitFor(() => Task.FromResult(condition()), what);

    private async Task WaitFor(Func<Task<bool>> condition, string what)
    {
        var waited = Stopwatch.StartNew();
        while (!await condition())
        {
            if (waited.Elapsed > Timeout)
            {
                throw new TimeoutException($"Not {what} after {Timeout.TotalSeconds} s. The processes' output:\n"
                    + string.Join("\n", _processes.Select(process => $"--- pid {process.Id}:\n{process.Output}")));
            }
            await Task.Delay(20);
        }
        Log(what);
    }

    private void Log(string message) => log.WriteLine($"{_clock.Elapsed.TotalSeconds,6:F1} s  {message}");
}
