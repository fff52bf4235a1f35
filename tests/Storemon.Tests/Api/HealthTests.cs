using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Storemon.Storage;
using Storemon.Tests.Databases;

namespace Storemon.Tests.Api;

/// <summary>
/// /health names each part and what is wrong with it: the database, its writes (a probe write, and the
/// outcome of the service's real writes), and the job server's heartbeat. The service's clock is a fake
/// one started at the real time, so that the times the answer names are known and a heartbeat can age.
/// </summary>
public abstract class HealthTests : IDisposable
{
    private readonly DateTimeOffset _start = DateTimeOffset.UtcNow;
    private readonly FakeTimeProvider _time;
    private readonly ServiceFactory _service;
    private readonly HttpClient _client;

    protected HealthTests(DatabaseKind kind)
    {
        Kind = kind;
        _time = new FakeTimeProvider(_start);
        _service = new ServiceFactory(kind) { Time = _time };
        _client = _service.CreateClient();
    }

    private DatabaseKind Kind { get; }

    private WriteOutcomes Outcomes => _service.Services.GetRequiredService<WriteOutcomes>();

    private string Database => Kind == DatabaseKind.Sqlite ? $"The database {Path.GetFileName(_service.Database.Connection)}" : "The database";

    private static long Microseconds(DateTimeOffset time) => (time - DateTimeOffset.UnixEpoch).Ticks / 10;

    private static string At(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", System.Globalization.CultureInfo.InvariantCulture);

    [SkippableFact]
    public async Task A_healthy_service_lists_every_part_healthy_and_its_write_probe_commits_the_clocks_time()
    {
        var health = await HealthAnswer.Get(_client);

        Assert.Equal(HttpStatusCode.OK, health.Code);
        Assert.Equal("Healthy", health.Status);
        Assert.Equal(["database", "database-writes", "jobs"], health.Names);
        Assert.Equal(new HealthPart("Healthy", $"{Database} answers."), health["database"]);
        Assert.Equal(new HealthPart("Healthy", $"{Database} takes writes: a test write committed at {At(_start)}, and no report run or import is failing."),
            health["database-writes"]);
        Assert.Equal("Healthy", health["jobs"].Status);
        Assert.StartsWith("This process's job server runs (last heartbeat ", health["jobs"].Description, StringComparison.Ordinal);
        // Written as read, not "process\u0027s".
        Assert.Contains("\"This process's job server runs", await _client.GetStringAsync("/health"), StringComparison.Ordinal);
        Assert.Equal(Microseconds(_start), _service.Database.Scalar("SELECT written_at FROM health_probe WHERE id = 1"));
    }

    [SkippableFact]
    public async Task The_write_probe_is_written_at_most_once_per_cache_period()
    {
        await HealthAnswer.Get(_client);
        _time.Advance(TimeSpan.FromSeconds(4));
        await HealthAnswer.Get(_client);
        var first = _service.Database.Scalar("SELECT written_at FROM health_probe WHERE id = 1");
        _time.Advance(TimeSpan.FromSeconds(1));
        await HealthAnswer.Get(_client);

        Assert.Equal(Microseconds(_start), first);
        Assert.Equal(Microseconds(_start.AddSeconds(5)), _service.Database.Scalar("SELECT written_at FROM health_probe WHERE id = 1"));
    }

    // A write the database refuses for a reason of its own: the answer names the part and says where to
    // look, without the database's words (which can name files, servers or settings).
    [SkippableFact]
    public async Task A_test_write_the_database_refuses_makes_the_writes_unhealthy_without_the_errors_text()
    {
        _service.Database.Execute(Kind == DatabaseKind.Sqlite
            ? "CREATE TRIGGER refuse BEFORE UPDATE ON health_probe BEGIN SELECT RAISE(ABORT, 'refused at /var/secret'); END"
            : """
              CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused at /var/secret'; END $$;
              CREATE TRIGGER refuse BEFORE UPDATE ON health_probe FOR EACH ROW EXECUTE FUNCTION refuse();
              """);

        var refused = await HealthAnswer.Get(_client);
        _service.Database.Execute("DROP TRIGGER refuse" + (Kind == DatabaseKind.Sqlite ? "" : " ON health_probe"));
        var stillCached = await HealthAnswer.Get(_client);
        _time.Advance(TimeSpan.FromSeconds(5));
        var healthy = await HealthAnswer.Get(_client);

        AssertUnhealthy(refused, "database-writes", $"A test write to {Database.Replace("The", "the", StringComparison.Ordinal)} failed at {At(_start)}: the service log says why.");
        Assert.Equal("Healthy", refused["database"].Status);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, stillCached.Code);
        Assert.Equal(HttpStatusCode.OK, healthy.Code);
    }

    [SkippableFact]
    public async Task An_import_the_disk_full_failed_makes_the_writes_unhealthy_until_an_import_writes_rows()
    {
        Outcomes.Failed(WriteKind.Import, DiskFullError());
        _time.Advance(TimeSpan.FromSeconds(90));
        Outcomes.Failed(WriteKind.Import, new InvalidOperationException("disk full, wrapped", DiskFullError()));

        var failing = await HealthAnswer.Get(_client);
        using (var nothingValid = await _client.PostPolls(("", "active", "2024-10-14 10:00:00 UTC")))
        {
            Assert.Equal(0, (await nothingValid.Summary()).GetProperty("imported").GetInt32());
        }
        var stillFailing = await HealthAnswer.Get(_client);
        using (var imported = await _client.PostPolls(("s1", "active", "2024-10-14 10:00:00 UTC")))
        {
            Assert.Equal(1, (await imported.Summary()).GetProperty("imported").GetInt32());
        }
        var healthy = await HealthAnswer.Get(_client);

        AssertUnhealthy(failing, "database-writes",
            $"Imports fail since {At(_start)} (last at {At(_start.AddSeconds(90))}): the database failed them because its disk is full. This clears when an import writes rows, or when the database takes writes for 5 minutes without another such failure.");
        Assert.Equal("Healthy", failing["database"].Status);
        Assert.Equal("Healthy", failing["jobs"].Status);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, stillFailing.Code);
        Assert.Equal(HttpStatusCode.OK, healthy.Code);
        Assert.Equal("Healthy", healthy["database-writes"].Status);
    }

    [SkippableFact]
    public async Task A_full_disk_that_failed_nothing_for_five_minutes_while_the_probe_commits_is_over_without_a_real_write()
    {
        Outcomes.Failed(WriteKind.Import, DiskFullError());

        _time.Advance(TimeSpan.FromMinutes(4) + TimeSpan.FromSeconds(55));
        var justBefore = await HealthAnswer.Get(_client);
        _time.Advance(TimeSpan.FromSeconds(5));
        var after = await HealthAnswer.Get(_client);
        Outcomes.Failed(WriteKind.Import, DiskFullError());
        _time.Advance(TimeSpan.FromSeconds(5));
        var failingAgain = await HealthAnswer.Get(_client);

        // (The fake clock leaves the job server's heartbeat behind: only this part is looked at.)
        Assert.Equal("Unhealthy", justBefore["database-writes"].Status);
        Assert.Equal("Healthy", after["database-writes"].Status);
        Assert.Equal("Unhealthy", failingAgain["database-writes"].Status);
    }

    [SkippableFact]
    public async Task A_load_balancer_polling_an_unhealthy_service_adds_no_log_line_per_poll()
    {
        var logs = new CapturedLogs();
        using var logged = _service.WithWebHostBuilder(builder => builder.ConfigureLogging(logging => logging.AddProvider(logs)));
        using var client = logged.CreateClient();
        logged.Services.GetRequiredService<WriteOutcomes>().Failed(WriteKind.Import, DiskFullError());

        var answers = new List<HttpStatusCode>();
        for (var poll = 0; poll < 20; poll++)
        {
            answers.Add((await HealthAnswer.Get(client)).Code);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.All(answers, code => Assert.Equal(HttpStatusCode.ServiceUnavailable, code));
        Assert.DoesNotContain(logs.Messages, m => m.Category.StartsWith("Microsoft.Extensions.Diagnostics.HealthChecks", StringComparison.Ordinal) && m.Level >= LogLevel.Warning);
    }

    [SkippableFact]
    public async Task Reports_that_no_worker_took_for_longer_than_the_queue_wait_limit_make_the_jobs_degraded()
    {
        var reports = _service.Services.GetRequiredService<IReportStore>();
        // Queued reports without a job of their own: no worker takes them, as when every worker is stuck.
        void Queued(string id, TimeSpan ago)
        {
            var at = NodaTime.Instant.FromDateTimeOffset(_start - ago);
            reports.CreateReport(new ReportRecord(id, ReportStatus.Pending, new Storemon.Reports.ReportRequest(), at, HeartbeatAt: at));
        }

        Queued("waits-4-min", TimeSpan.FromMinutes(4));
        var withinTheLimit = await HealthAnswer.Get(_client);
        Queued("waits-6-min", TimeSpan.FromMinutes(6) + TimeSpan.FromSeconds(30));
        _time.Advance(TimeSpan.FromSeconds(5));
        var beyondIt = await HealthAnswer.Get(_client);

        Assert.Equal("Healthy", withinTheLimit["jobs"].Status);
        Assert.Equal(HttpStatusCode.OK, beyondIt.Code);
        Assert.Equal("Degraded", beyondIt.Status);
        Assert.Equal("Degraded", beyondIt["jobs"].Status);
        Assert.StartsWith(
            $"2 reports wait in the queue, the oldest for 6 min (since {At(_start - TimeSpan.FromMinutes(6) - TimeSpan.FromSeconds(30))}; more than Health:QueueWaitLimit, 5 min): " +
            "the job servers beat, but every worker is busy or stuck on a job. This process's job server runs (last heartbeat ",
            beyondIt["jobs"].Description, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task A_report_run_the_database_failed_makes_the_writes_unhealthy_until_a_report_run_completes()
    {
        Outcomes.Failed(WriteKind.ReportRun, DiskFullError());
        Outcomes.Failed(WriteKind.Import, new InvalidDataException("a fault of the data, not of the database"));

        var failing = await HealthAnswer.Get(_client);
        await _client.PostPolls(("s1", "active", "2024-10-14 10:00:00 UTC"));
        var afterImport = await HealthAnswer.Get(_client);
        await _client.CompleteReport();
        // The run tells its outcome just after the report reads Complete.
        var healthy = await HealthAnswer.Until(_client, answer => answer.Code == HttpStatusCode.OK);

        AssertUnhealthy(failing, "database-writes", $"Report runs fail since {At(_start)}: the database failed them because its disk is full. This clears when a report run completes, or when the database takes writes for 5 minutes without another such failure.");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, afterImport.Code);
        Assert.Equal(HttpStatusCode.OK, healthy.Code);
    }

    [SkippableFact]
    public async Task A_database_that_did_not_answer_a_write_is_healthy_again_once_the_probe_commits_after_it()
    {
        await HealthAnswer.Get(_client);   // the probe, cached for 5 s
        _time.Advance(TimeSpan.FromSeconds(1));
        Outcomes.Failed(WriteKind.Import, UnavailableError());

        var failing = await HealthAnswer.Get(_client);
        _time.Advance(TimeSpan.FromSeconds(5));
        var healthy = await HealthAnswer.Get(_client);

        AssertUnhealthy(failing, "database-writes", $"Imports fail since {At(_start.AddSeconds(1))}: the database failed them because it does not answer. This clears when the database takes a write again or an import writes rows.");
        Assert.Equal(HttpStatusCode.OK, healthy.Code);
    }

    [SkippableFact]
    public async Task Damaged_data_makes_the_database_unhealthy_for_as_long_as_the_process_lives()
    {
        Outcomes.Failed(WriteKind.ReportRun, CorruptError());

        var damaged = await HealthAnswer.Get(_client);
        await _client.PostPolls(("s1", "active", "2024-10-14 10:00:00 UTC"));
        await _client.CompleteReport();
        _time.Advance(TimeSpan.FromMinutes(10));
        var later = await HealthAnswer.Get(_client);

        AssertUnhealthy(damaged, "database", $"{Database} is damaged: a report run found corrupt data at {At(_start)}. Repair it or restore it from a backup, then restart the service (this stays until the restart).");
        Assert.Equal("Healthy", damaged["database-writes"].Status);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, later.Code);
        Assert.Equal(damaged["database"], later["database"]);
    }

    [SkippableFact]
    public async Task A_job_server_whose_heartbeat_is_older_than_the_limit_is_unhealthy()
    {
        await HealthAnswer.Get(_client);
        // The clock at the real time: the server's heartbeat, written by Hangfire with the real clock, is fresh.
        _time.SetUtcNow(DateTimeOffset.UtcNow);
        _time.Advance(TimeSpan.FromSeconds(5));
        var beating = await HealthAnswer.Get(_client);
        _time.Advance(TimeSpan.FromSeconds(113));
        var late = await HealthAnswer.Get(_client);
        _time.Advance(TimeSpan.FromSeconds(5));
        var stopped = await HealthAnswer.Get(_client);

        Assert.Equal("Healthy", beating["jobs"].Status);
        Assert.Equal("Healthy", late["jobs"].Status);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, stopped.Code);
        Assert.Equal("Unhealthy", stopped["jobs"].Status);
        Assert.Matches(@"^This process's job server stopped: its last heartbeat was 12[0-4] s ago \(it beats every 30 s, and is stopped after 120 s without one\)\. It cannot write to the job queue: reports are not computed\.$",
            stopped["jobs"].Description);
        Assert.Equal("Healthy", stopped["database"].Status);
        Assert.Equal("Healthy", stopped["database-writes"].Status);
    }

    /// <summary>The answer is 503, and its part <paramref name="name"/> Unhealthy with <paramref name="description"/>.</summary>
    private static void AssertUnhealthy(HealthAnswer answer, string name, string description)
    {
        Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.Code);
        Assert.Equal("Unhealthy", answer.Status);
        Assert.Equal(new HealthPart("Unhealthy", description), answer[name]);
    }

    private Exception DiskFullError() => Kind == DatabaseKind.Sqlite
        ? new SqliteException("database or disk is full", SQLitePCL.raw.SQLITE_FULL)
        : new PostgresException("could not extend file", "ERROR", "ERROR", PostgresErrorCodes.DiskFull);

    private Exception UnavailableError() => Kind == DatabaseKind.Sqlite
        ? new SqliteException("unable to open database file", SQLitePCL.raw.SQLITE_CANTOPEN)
        : new PostgresException("the database system is shutting down", "FATAL", "FATAL", PostgresErrorCodes.CannotConnectNow);

    private Exception CorruptError() => Kind == DatabaseKind.Sqlite
        ? new SqliteException("database disk image is malformed", SQLitePCL.raw.SQLITE_CORRUPT)
        : new PostgresException("invalid page in block 1 of relation base/1/2", "ERROR", "ERROR", PostgresErrorCodes.DataCorrupted);

    public void Dispose()
    {
        _client.Dispose();
        _service.Dispose();
        GC.SuppressFinalize(this);
    }
}

public sealed class HealthTests_Sqlite() : HealthTests(DatabaseKind.Sqlite);

public sealed class HealthTests_Postgres() : HealthTests(DatabaseKind.Postgres);

/// <summary>Health's settings are checked at start, as every other section's.</summary>
public sealed class HealthOptionsTests
{
    [Fact]
    public void A_heartbeat_limit_of_two_heartbeats_or_less_refuses_to_start()
    {
        using var service = new ServiceFactory(DatabaseKind.Sqlite, ("Health:JobHeartbeatLimit", "00:01:00"));

        var refused = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => service.CreateClient());

        Assert.Contains("Health:JobHeartbeatLimit must be more than twice the job server's heartbeat interval (30 s).", refused.Failures);
    }
}
