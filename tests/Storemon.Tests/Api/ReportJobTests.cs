using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NodaTime;
using NodaTime.Testing;
using NodaTime.Text;
using Storemon.Api.Reports;
using Storemon.Api.Storage;
using Storemon.Engine;
using Storemon.Reports;
using Storemon.Storage;
using Storemon.Tests.Databases;

namespace Storemon.Tests.Api;

/// <summary>Reports as jobs: queued and run by a set number of workers, each from one snapshot, pruned after their retention.</summary>
public abstract class ReportJobTests(DatabaseKind kind)
{
    private static readonly Instant LastBasePoll = Instant.FromUtc(2024, 10, 14, 12, 0);

    // Stores enough that a report takes a noticeable time: a week of hourly polls for each.
    private static void WriteBaseStores(ServiceFactory service, int count) =>
        service.Services.GetRequiredService<IMonitoringStore>().WritePolls(
            Enumerable.Range(0, count).SelectMany(i => ServiceCalls.HourlyPolls($"base-{i:D5}", LastBasePoll, 168, seed: i)),
            CancellationToken.None);

    /// <summary>A service of the test's own over a fresh database of this class's kind.</summary>
    protected ServiceFactory Service(params (string Key, string Value)[] settings) => new(kind, settings);

    protected static Instant Parse(JsonElement instant) => InstantPattern.ExtendedIso.Parse(instant.GetString()!).Value;

    [SkippableFact]
    public async Task Ten_reports_triggered_at_once_with_two_workers_all_complete_with_the_engines_csv()
    {
        using var service = Service(("Reports:Workers", "2"));
        using var client = service.CreateClient();
        WriteBaseStores(service, 500);

        var ids = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => client.TriggerReport()));
        var finished = await Task.WhenAll(ids.Select(id => client.WaitUntilFinished(id)));

        Assert.Equal(10, ids.Distinct().Count());
        var expected = service.EngineReport(new ReportRequest());
        Assert.Equal(501, expected.Count(c => c == '\n'));
        Assert.All(finished, report => Assert.Equal(expected, ServiceCalls.CsvOf(report)));
    }

    [SkippableFact]
    public async Task Two_workers_compute_two_reports_at_the_same_time()
    {
        using var service = Service(("Reports:Workers", "2"));
        using var client = service.CreateClient();
        WriteBaseStores(service, 3000);

        var ids = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => client.TriggerReport()));
        await Task.WhenAll(ids.Select(id => client.WaitUntilFinished(id)));
        var runs = new List<(Instant Started, Instant Finished)>();
        foreach (var id in ids)
        {
            var report = await client.GetFromJsonAsync<JsonElement>($"/reports/{id}");
            runs.Add((Parse(report.GetProperty("started_at")), Parse(report.GetProperty("finished_at"))));
        }

        // Four reports of a few hundred milliseconds each, two workers: some two of them ran side by side.
        Assert.Contains(runs, a => runs.Any(b => a != b && a.Started < b.Finished && b.Started < a.Finished));
    }

    [SkippableFact]
    public async Task A_report_taken_while_whole_stores_are_ingested_equals_the_engines_report_of_the_snapshot_it_started_from()
    {
        using var service = Service();
        using var client = service.CreateClient();
        WriteBaseStores(service, 3000);

        // Each batch is one new store with all its polls, its last poll a minute later than the batch
        // before: a snapshot holding batches 1..K has exactly those live stores, and its latest poll,
        // the report time, is K minutes after the base stores' last.
        using var stop = new CancellationTokenSource();
        var acknowledged = new ConcurrentDictionary<int, Instant>();
        var ingestion = Task.Run(async () =>
        {
            for (var k = 1; !stop.IsCancellationRequested; k++)
            {
                using var response = await client.PostPolls(ServiceCalls.HourlyPolls($"live-{k:D5}", LastBasePoll + Duration.FromMinutes(k), 24, seed: k));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                acknowledged[k] = SystemClock.Instance.GetCurrentInstant();
            }
        });
        while (acknowledged.Count < 3)
        {
            await Task.Delay(10);
        }

        // Reports until one ran while a batch landed (the first, unless the machine is very busy).
        var reports = new List<(string Csv, Instant AsOf, bool Overlapped)>();
        while (reports.Count < 5 && !reports.Exists(r => r.Overlapped))
        {
            var id = await client.TriggerReport();
            var csv = ServiceCalls.CsvOf(await client.WaitUntilFinished(id));
            var report = await client.GetFromJsonAsync<JsonElement>($"/reports/{id}");
            var (started, finished) = (Parse(report.GetProperty("started_at")), Parse(report.GetProperty("finished_at")));
            var batchesIn = csv.Split('\n').Count(line => line.StartsWith("live-", StringComparison.Ordinal));
            reports.Add((csv, Parse(report.GetProperty("as_of")),
                acknowledged.Any(batch => batch.Key > batchesIn && batch.Value > started && batch.Value < finished)));
        }
        await stop.CancelAsync();
        await ingestion;

        Assert.Contains(reports, r => r.Overlapped);
        foreach (var (csv, asOf, _) in reports)
        {
            var stores = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(StoreOf).ToList();
            var live = stores.Where(s => s.StartsWith("live-", StringComparison.Ordinal)).ToList();

            // The report holds the whole base and a prefix of the batches, at the report time of that prefix.
            Assert.Equal(3000, stores.Count - live.Count);
            Assert.True(live.Count >= 3, $"only {live.Count} batches are in the report");
            Assert.Equal(Enumerable.Range(1, live.Count).Select(k => $"live-{k:D5}"), live);
            Assert.Equal(LastBasePoll + Duration.FromMinutes(live.Count), asOf);
            // Every store has the values the engine computes from the final database at that time: all its polls were seen.
            var expected = service.EngineReport(new ReportRequest(asOf))
                .Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Where(line => line == ReportCsv.Header || stores.Contains(StoreOf(line)));
            Assert.Equal(string.Concat(expected.Select(line => line + "\n")), csv);
        }

        static string StoreOf(string line) => line[..line.IndexOf(',', StringComparison.Ordinal)];
    }

    [SkippableFact]
    public async Task Finished_reports_older_than_the_retention_are_pruned_and_then_unknown()
    {
        var clock = new FakeClock(Instant.FromUtc(2024, 10, 14, 12, 0));
        using var service = new ServiceFactory(kind, ("Reports:Retention", "01:00:00")) { Clock = clock };
        using var client = service.CreateClient();
        await client.PostPolls(("s1", "active", "2024-10-14 10:00:00 UTC"));
        var old = await client.TriggerReport();
        await client.WaitUntilFinished(old);
        clock.Advance(Duration.FromMinutes(90));
        var recent = await client.TriggerReport();
        await client.WaitUntilFinished(recent);
        var unfinished = service.RecordUnfinishedReport(running: false);

        // What the recovery loop does every half minute, with the service's clock and retention.
        var retention = service.Services.GetRequiredService<IOptions<ReportOptions>>().Value.Retention;
        var pruned = service.Services.GetRequiredService<IReportStore>().PruneReports(clock.GetCurrentInstant() - Duration.FromTimeSpan(retention));

        using var gone = await client.GetAsync($"/get_report?report_id={old}");
        await gone.AssertProblem(HttpStatusCode.NotFound, "Unknown report");
        using var goneCsv = await client.GetAsync($"/reports/{old}/csv");
        await goneCsv.AssertProblem(HttpStatusCode.NotFound, "Unknown report");
        Assert.Equal("Complete", (await client.GetFromJsonAsync<JsonElement>($"/get_report?report_id={recent}")).GetProperty("status").GetString());
        var listed = (await client.GetFromJsonAsync<JsonElement>("/reports")).GetProperty("items").EnumerateArray().Select(r => r.GetProperty("id").GetString());
        Assert.Equal(new[] { unfinished, recent }, listed);
        Assert.Equal(0, service.Database.Scalar($"SELECT count(*) FROM report_csv WHERE report_id = '{old}'"));
        Assert.Equal(1, pruned);
    }

    [SkippableFact]
    public async Task A_service_keeps_taking_and_running_reports_after_another_service_of_the_same_process_is_disposed()
    {
        // Hangfire keeps some of its configuration process-wide (see ServiceFactory); the service started
        // last configured it last, and is gone before the first one takes its report.
        using var first = Service();
        using var client = first.CreateClient();
        using (var second = Service())
        {
            using var secondClient = second.CreateClient();
            await secondClient.PostPolls(("s2", "active", "2024-10-14 10:00:00 UTC"));
        }

        await client.PostPolls(("s1", "inactive", "2024-10-14 10:00:00 UTC"));
        var csv = await client.CompleteReport();

        Assert.Equal($"{ReportCsv.Header}\ns1,0.00,0.00,0.00,60.00,24.00,168.00\n", csv);
    }
}

public sealed class ReportJobTests_Sqlite() : ReportJobTests(DatabaseKind.Sqlite)
{
    // The service is the only user of a SQLite file, so at start a report still marked Running lost its runner.
    [Fact]
    public async Task A_report_left_running_by_a_stopped_process_is_run_again_when_the_service_starts()
    {
        const string abandoned = "abandoned0123456789abcdef0123456";
        using var service = Service();
        var now = SystemClock.Instance.GetCurrentInstant();
        using (var store = service.Database.Open())
        {
            store.WritePolls([new PollRow("s1", (now - Duration.FromDays(1)).ToUnixTimeTicks() / Poll.TicksPerMicrosecond, false)], CancellationToken.None);
            store.CreateReport(new ReportRecord(abandoned, ReportStatus.Pending, new ReportRequest(), now, HeartbeatAt: now));
            Assert.NotNull(store.TryStartReport(abandoned, now, now));
        }

        using var client = service.CreateClient();
        var finished = await client.WaitUntilFinished(abandoned);

        Assert.Equal("Complete", finished.GetProperty("status").GetString());
        Assert.EndsWith("s1,0.00,0.00,0.00,60.00,24.00,168.00\n", finished.GetProperty("csv").GetString(), StringComparison.Ordinal);
        var report = await client.GetFromJsonAsync<JsonElement>($"/reports/{abandoned}");
        Assert.Equal(2, report.GetProperty("attempts").GetInt32());
    }

    [Fact]
    public void Services_started_side_by_side_in_one_process_each_keep_their_own_job_queue_file_and_activator()
    {
        // Hangfire's configuration is process-wide; a service must take neither another one's job storage
        // nor its job activator (which would run this service's jobs against the other's database) when
        // both start at once, as test classes running in parallel do. A race, so three rounds of four
        // make a wrong wiring show up on most runs, not all.
        for (var round = 0; round < 3; round++)
        {
            var services = ServiceFactory.StartTogether(DatabaseKind.Sqlite, 4);
            try
            {
                Assert.All(services, service =>
                {
                    var jobFile = Path.Combine(Path.GetDirectoryName(service.Database.Connection)!, "storemon.jobs.db");
                    Assert.Contains(jobFile, service.Services.GetRequiredService<JobStorage>().ToString(), StringComparison.Ordinal);
                    Assert.True(File.Exists(jobFile));
                    using var jobScope = service.Services.GetRequiredService<JobActivator>().BeginScope((JobActivatorContext)null!);
                    Assert.Same(service.Services.GetRequiredService<IMonitoringStore>(), jobScope.Resolve(typeof(IMonitoringStore)));
                });
            }
            finally
            {
                foreach (var service in services)
                {
                    service.Dispose();
                }
            }
        }
    }
}

public sealed class ReportJobTests_Postgres() : ReportJobTests(DatabaseKind.Postgres)
{
    // Other processes (workers on other machines) may be running reports in the same database when a
    // service starts, so a Running report is not released at start: only a stopped heartbeat says its
    // runner is gone.
    [SkippableFact]
    public async Task A_running_report_is_left_to_its_runner_while_it_beats_and_run_again_once_its_heartbeat_is_stale()
    {
        const string running = "running0123456789abcdef0123456789";
        var staleAfter = Duration.FromSeconds(3);
        // The service's time is the test's: its recovery looks for stale reports every 1.5 s of it.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var clock = new TimeProviderClock(time);
        using var service = new ServiceFactory(DatabaseKind.Postgres, ("Reports:StaleAfter", "00:00:03")) { Time = time };
        using var runner = service.Database.Open();
        var now = clock.GetCurrentInstant();
        runner.WritePolls([new PollRow("s1", (now - Duration.FromDays(1)).ToUnixTimeTicks() / Poll.TicksPerMicrosecond, false)], CancellationToken.None);
        runner.CreateReport(new ReportRecord(running, ReportStatus.Pending, new ReportRequest(), now, HeartbeatAt: now));
        Assert.NotNull(runner.TryStartReport(running, now, now));
        using var client = service.CreateClient();

        // Another process runs the report, 3 of 7 stores done, beating every 0.5 s while the service
        // goes through three of its checks for stale reports.
        var lastBeat = now;
        for (var step = 0; step < 10; step++)
        {
            lastBeat = clock.GetCurrentInstant();
            Assert.True(runner.ReportProgress(running, attempt: 1, 3, 7, lastBeat));
            await Advance(time, TimeSpan.FromMilliseconds(500));
        }
        var whileBeating = await client.GetFromJsonAsync<JsonElement>($"/reports/{running}");
        // The runner dies; time goes on until the service has run the report again.
        for (var step = 0; step < 200 && (await client.GetFromJsonAsync<JsonElement>($"/reports/{running}")).GetProperty("status").GetString() != "Complete"; step++)
        {
            await Advance(time, TimeSpan.FromMilliseconds(500));
        }
        var finished = await client.GetFromJsonAsync<JsonElement>($"/get_report?report_id={running}");
        var report = await client.GetFromJsonAsync<JsonElement>($"/reports/{running}");

        Assert.Equal("Running", whileBeating.GetProperty("status").GetString());
        Assert.Equal(1, whileBeating.GetProperty("attempts").GetInt32());
        Assert.Equal(3, whileBeating.GetProperty("progress").GetProperty("stores_done").GetInt32());
        Assert.Equal("Complete", finished.GetProperty("status").GetString());
        Assert.EndsWith("s1,0.00,0.00,0.00,60.00,24.00,168.00\n", finished.GetProperty("csv").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, report.GetProperty("attempts").GetInt32());
        Assert.True(Parse(report.GetProperty("started_at")) - lastBeat >= staleAfter,
            $"run again at {report.GetProperty("started_at")}, before the last heartbeat ({lastBeat}) was {staleAfter.TotalSeconds} s old");

        // A timer tick runs on the thread pool: a moment of real time lets it act before the next step.
        static async Task Advance(FakeTimeProvider time, TimeSpan by)
        {
            time.Advance(by);
            await Task.Delay(20);
        }
    }

    [SkippableFact]
    public async Task Services_started_side_by_side_in_one_process_each_keep_their_jobs_in_their_own_databases_hangfire_schema()
    {
        // As on SQLite: Hangfire's process-wide configuration must not hand one service's storage or job
        // activator to another that starts at the same moment. Each service's report must run in that
        // service and leave its job in the schema hangfire of that service's database, and nowhere else.
        for (var round = 0; round < 2; round++)
        {
            var services = ServiceFactory.StartTogether(DatabaseKind.Postgres, 4);
            try
            {
                var ids = new List<string>();
                foreach (var service in services)
                {
                    using var client = service.CreateClient();
                    await client.PostPolls(("s1", "active", "2024-10-14 10:00:00 UTC"));
                    var id = await client.TriggerReport();
                    ServiceCalls.CsvOf(await client.WaitUntilFinished(id));
                    ids.Add(id);
                    var database = new Npgsql.NpgsqlConnectionStringBuilder(service.Database.Connection).Database;
                    Assert.Contains($"DB: {database}", service.Services.GetRequiredService<JobStorage>().ToString(), StringComparison.Ordinal);
                    using var jobScope = service.Services.GetRequiredService<JobActivator>().BeginScope((JobActivatorContext)null!);
                    Assert.Same(service.Services.GetRequiredService<IMonitoringStore>(), jobScope.Resolve(typeof(IMonitoringStore)));
                }
                for (var i = 0; i < services.Length; i++)
                {
                    Assert.Equal(ids[i..(i + 1)], services[i].Database.Rows("SELECT arguments::text FROM hangfire.job ORDER BY id")
                        .Select(arguments => ids.Single(id => arguments.Contains(id, StringComparison.Ordinal))));
                }
            }
            finally
            {
                foreach (var service in services)
                {
                    service.Dispose();
                }
            }
        }
    }
}
