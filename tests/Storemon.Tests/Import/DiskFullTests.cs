using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using NodaTime;
using Storemon.Engine;
using Storemon.Import;
using Storemon.Reports;
using Storemon.Storage;
using Storemon.Tests.Api;
using Storemon.Tests.Cli;
using Storemon.Tests.Databases;
using Storemon.Tests.EndToEnd;
using Storemon.Tests.Generate;

namespace Storemon.Tests.Import;

/// <summary>What a disk full does to an import, and how the service's files and data set are made for it.</summary>
internal static class FullDisk
{
    /// <summary>What is left free on the filled disk: far less than any of the imports below needs.</summary>
    public const long Left = 64 * 1024;

    /// <summary>Rows of each file that fills the disk: several hundred KiB in either database.</summary>
    public const int Rows = 20_000;

    public const string Before = """
        store_id,status,timestamp_utc
        s1,active,2024-10-14 09:00:00 UTC
        s1,inactive,2024-10-14 10:00:00 UTC
        s2,active,2024-10-14 10:30:00 UTC
        """;

    /// <summary>A file of <see cref="Rows"/> rows of <paramref name="kind"/>, none of which the database holds yet.</summary>
    public static string Csv(ImportKind kind)
    {
        var csv = new StringBuilder();
        switch (kind)
        {
            case ImportKind.Status:
                // 20 stores polled hourly for six weeks of 2024.
                csv.Append("store_id,status,timestamp_utc\n");
                var start = new DateTime(2024, 9, 1, 0, 0, 0, DateTimeKind.Utc);
                for (var i = 0; i < Rows; i++)
                {
                    csv.Append(CultureInfo.InvariantCulture, $"big-{i % 20},{(i % 3 == 0 ? "inactive" : "active")},{start.AddHours(i / 20):yyyy-MM-dd HH:mm:ss} UTC\n");
                }
                break;
            case ImportKind.BusinessHours:
                csv.Append("store_id,dayOfWeek,start_time_local,end_time_local\n");
                for (var i = 0; i < Rows; i++)
                {
                    csv.Append(CultureInfo.InvariantCulture, $"big-{i / 7},{i % 7},09:00,17:30\n");
                }
                break;
            case ImportKind.TimeZones:
                csv.Append("store_id,timezone_str\n");
                for (var i = 0; i < Rows; i++)
                {
                    csv.Append(CultureInfo.InvariantCulture, $"big-{i},Asia/Tokyo\n");
                }
                break;
        }
        return csv.ToString();
    }

    public const string TriggerDetail = "The disk of the database is full: the request was not carried out. Free space on it and send the request again.";

    /// <summary>
    /// Triggers reports until one is refused for a full disk (a write of a trigger may still fit in
    /// space its files already hold): each trigger answers 200 with an id, or 507 with a ProblemDetails
    /// that says the disk is full. Returns the ids answered, and how many were refused (at least one).
    /// </summary>
    public static async Task<(List<string> Answered, int Refused)> TriggerUntilRefused(HttpClient client)
    {
        var answered = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            using var response = await client.PostAsync("/trigger_report", null);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                answered.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("report_id").GetString()!);
                continue;
            }
            Assert.Equal(TriggerDetail, await response.AssertProblem(HttpStatusCode.InsufficientStorage, "Insufficient storage"));
            var body = await response.Content.ReadAsStringAsync();
            foreach (var driver in new[] { "SQLite", "53100", "Hangfire", "Exception" })
            {
                Assert.DoesNotContain(driver, body, StringComparison.OrdinalIgnoreCase);
            }
            return (answered, 1);
        }
        throw new InvalidOperationException($"20 triggers on a full disk were all answered 200: {string.Join(", ", answered)}");
    }

    /// <summary>The ids /reports lists, newest first.</summary>
    public static async Task<List<string>> ListedReports(HttpClient client)
    {
        var page = await client.GetFromJsonAsync<JsonElement>("/reports?page_size=200");
        return [.. page.GetProperty("items").EnumerateArray().Select(item => item.GetProperty("id").GetString()!)];
    }

    /// <summary>The report over the database as it is now (T the latest poll).</summary>
    public static string Report(IMonitoringStore store)
    {
        using var csv = new StringWriter();
        ReportRunner.Run(store, new ReportRequest(), csv);
        return csv.ToString();
    }
}

/// <summary>
/// An import that runs out of space on the database's disk fails with a message that says so, leaves
/// the database readable and as it was, and the same file imports once there is space again.
/// </summary>
public abstract class DiskFullTests : IDisposable
{
    private readonly DatabaseOnSmallDisk _small;
    private readonly TempDirectory _files = new();

    protected DiskFullTests(DatabaseKind kind)
    {
        try
        {
            _small = DatabaseOnSmallDisk.Create(kind, forService: false);
        }
        catch
        {
            _files.Dispose();
            throw;
        }
    }

    private TestDatabase Db => _small.Database;

    [SkippableFact]
    public void A_cli_import_that_fills_the_disk_says_so_in_one_line_changes_nothing_and_the_same_file_imports_once_there_is_space()
    {
        var before = _files.File("before.csv");
        File.WriteAllText(before, FullDisk.Before);
        var first = StoremonProcess.Run("import", "--db", Db.Connection, "--status", before);
        Assert.True(first.ExitCode == 0, first.StandardError);
        var dump = Db.Dump();
        var report = FullDisk.Report(Db.Store);
        var big = _files.File("big.csv");
        File.WriteAllText(big, FullDisk.Csv(ImportKind.Status));
        _small.Disk.FillLeaving(FullDisk.Left);

        var failed = StoremonProcess.Run("import", "--db", Db.Connection, "--status", big);

        Assert.Equal(
            (1, "", $"storemon import: the disk of the database is full: nothing of {big} was imported (free space and import it again).\n"),
            (failed.ExitCode, failed.StandardOutput, failed.StandardError));
        AssertUnchanged(dump, report);

        _small.Disk.Free();
        var again = StoremonProcess.Run("import", "--db", Db.Connection, "--status", big);

        Assert.Equal((0, "", $"{big} (status polls): 20,000 rows read, 20,000 imported, 0 rejected\n"), (again.ExitCode, again.StandardError, again.StandardOutput));
        Assert.Equal(3 + FullDisk.Rows, Db.Count("poll"));
        Assert.Equal(2 + 20, Db.Count("store"));
    }

    [SkippableTheory]
    [InlineData(ImportKind.Status)]
    [InlineData(ImportKind.BusinessHours)]
    [InlineData(ImportKind.TimeZones)]
    public void Every_kind_of_import_that_fills_the_disk_fails_as_disk_full_and_changes_nothing(ImportKind kind)
    {
        CsvImporter.ImportStatus(Db.Store, new MemoryStream(Encoding.UTF8.GetBytes(FullDisk.Before)), "before.csv");
        var dump = Db.Dump();
        var report = FullDisk.Report(Db.Store);
        var path = _files.File("big.csv");
        File.WriteAllText(path, FullDisk.Csv(kind));
        _small.Disk.FillLeaving(FullDisk.Left);

        var error = Assert.ThrowsAny<Exception>(() => CsvImporter.Import(kind, Db.Store, path, ImportRules.AnyTime));

        Assert.True(DiskFull.OfDatabase(error), $"Not recognised as a full disk: {error}");
        Assert.False(DiskFull.OfFile(error));
        AssertUnchanged(dump, report);

        _small.Disk.Free();
        var summary = CsvImporter.Import(kind, Db.Store, path, ImportRules.AnyTime);

        Assert.Equal((FullDisk.Rows, FullDisk.Rows, 0), (summary.RowsRead, summary.Imported, summary.Rejected));
        Assert.Equal(kind switch
        {
            ImportKind.Status => (2 + 20, FullDisk.Rows + 3, 0, 0),
            ImportKind.BusinessHours => (2 + (FullDisk.Rows / 7) + 1, 3, FullDisk.Rows, 0),
            _ => (2 + FullDisk.Rows, 3, 0, FullDisk.Rows),
        }, (Db.Count("store"), Db.Count("poll"), Db.Count("business_hours"), Db.Scalar("SELECT count(*) FROM store WHERE time_zone = 'Asia/Tokyo'")));
    }

    // Readable, whole, and holding exactly what it held: every row, and the report computed from them.
    private void AssertUnchanged(IReadOnlyList<string> dump, string report)
    {
        if (Db.Kind == DatabaseKind.Sqlite)
        {
            Assert.Equal("ok", Db.Text("PRAGMA integrity_check"));
        }
        else
        {
            // A new PostgreSQL session on a database whose disk is full may be refused ("XX000: could not
            // write init file": the server writes a cache file there when a session opens it). That is the
            // server's own, whatever the service does; the data is checked as soon as there is room again.
            _small.Disk.Free();
        }
        Assert.Equal(dump, Db.Dump());
        Assert.Equal(report, FullDisk.Report(Db.Store));
    }

    public void Dispose()
    {
        try
        {
            _small.Dispose();
        }
        finally
        {
            _files.Dispose();
        }
        GC.SuppressFinalize(this);
    }
}

public sealed class DiskFullTests_Sqlite() : DiskFullTests(DatabaseKind.Sqlite);

public sealed class DiskFullTests_Postgres() : DiskFullTests(DatabaseKind.Postgres);

/// <summary>The HTTP imports on a full disk: a 507 ProblemDetails that says what is full, nothing imported, then imports as before.</summary>
public abstract class DiskFullServiceTests : IDisposable
{
    private const string Detail = "The disk of the database is full: nothing of the upload was imported. Free space on it and send the request again.";

    private readonly DatabaseOnSmallDisk _small;
    private readonly ServiceFactory _service;

    protected DiskFullServiceTests(DatabaseKind kind)
    {
        _small = DatabaseOnSmallDisk.Create(kind, forService: true);
        _service = new ServiceFactory(_small.Database);
    }

    private TestDatabase Db => _small.Database;

    [SkippableFact]
    public async Task Uploads_and_polls_that_fill_the_disk_are_a_507_problem_that_imports_nothing_and_succeed_once_there_is_space()
    {
        var client = _service.CreateClient();
        using (var before = await client.PostCsv("/imports/status", FullDisk.Before))
        {
            await before.Summary();
        }
        var dump = Db.Dump();
        _small.Disk.FillLeaving(FullDisk.Left);
        var big = FullDisk.Csv(ImportKind.Status);

        using var upload = await client.PostCsv("/imports/status", big);
        using var polls = await client.PostPolls(Enumerable.Range(0, FullDisk.Rows).Select(i =>
            new PollRow($"big-{i % 20}", Instant.FromUtc(2024, 9, 1, 0, 0).ToUnixTimeTicks() / Poll.TicksPerMicrosecond + (i * 1_000_000L), true)));

        foreach (var response in new[] { upload, polls })
        {
            Assert.Equal(Detail, await response.AssertProblem(HttpStatusCode.InsufficientStorage, "Insufficient storage"));
        }
        Assert.DoesNotContain("SQLite", await upload.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("53100", await upload.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(dump, Db.Dump());

        _small.Disk.Free();
        var summary = await (await client.PostCsv("/imports/status", big)).Summary();

        Assert.Equal(FullDisk.Rows, summary.GetProperty("imported").GetInt32());
        Assert.Equal(3 + FullDisk.Rows, Db.Count("poll"));
    }

    // The report's record and its job are written to the same full disk (on SQLite the job queue's file
    // is beside the database; on PostgreSQL its schema is in the same tablespace): whichever of them
    // fails, the trigger is a 507 and leaves no report its caller did not get the id of.
    [SkippableFact]
    public async Task A_trigger_that_finds_the_disk_full_is_a_507_problem_that_leaves_no_report_and_triggers_work_once_there_is_space()
    {
        var client = _service.CreateClient();
        using (var before = await client.PostCsv("/imports/status", FullDisk.Before))
        {
            await before.Summary();
        }
        var first = await client.TriggerReport();
        await client.WaitUntilFinished(first);
        _small.Disk.FillLeaving(0);

        var (answered, _) = await FullDisk.TriggerUntilRefused(client);
        // The pages' form, as a person sends it, until it too is refused (a refused write may leave room for
        // the next one): the page again, with the reason.
        using var browser = _service.Browser(keepsCookies: false);
        var fromTheForm = new List<string>();
        string? html = null;
        for (var i = 0; i < 20 && html is null; i++)
        {
            using var page = await browser.PostTriggerForm(session: null, KeyValuePair.Create("Interpolation", "nearest"));
            if (page.StatusCode == HttpStatusCode.Redirect)
            {
                fromTheForm.Add(page.Headers.Location!.OriginalString.Split("triggered=")[1]);
                continue;
            }
            Assert.Equal(HttpStatusCode.InsufficientStorage, page.StatusCode);
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
            html = await page.Content.ReadAsStringAsync();
        }

        Assert.Contains("Insufficient storage: the disk of the database is full, so the report was not started. Free space on it and trigger it again.", html, StringComparison.Ordinal);
        answered.AddRange(fromTheForm);
        Assert.Equal([.. answered.AsEnumerable().Reverse(), first], await FullDisk.ListedReports(client));
        _small.Disk.Free();
        Assert.Equal(1 + answered.Count, Db.Count("report"));
        var again = await client.TriggerReport();
        Assert.Contains(again, await FullDisk.ListedReports(client));
        // On PostgreSQL a worker that took a job while the disk was full may wait for that job's state lock,
        // left behind, until Hangfire takes it as abandoned (30 s): the report runs then.
        var finished = await client.WaitUntilFinished(again, TimeSpan.FromSeconds(120));

        // The two stores of the polls imported before.
        Assert.Equal([ReportCsv.Header, "s1", "s2"], ServiceCalls.CsvOf(finished).Trim().Split('\n').Select(line => line.Split(',')[0] == "store_id" ? line : line.Split(',')[0]));
    }

    public void Dispose()
    {
        try
        {
            // The service first: it lets go of the database before the database and its disk go.
            _service.Dispose();
        }
        finally
        {
            _small.Dispose();
        }
        GC.SuppressFinalize(this);
    }
}

public sealed class DiskFullServiceTests_Sqlite() : DiskFullServiceTests(DatabaseKind.Sqlite);

public sealed class DiskFullServiceTests_Postgres() : DiskFullServiceTests(DatabaseKind.Postgres);

/// <summary>
/// The job queue's file (SQLite, beside the database) alone on a full disk: the report's record is
/// written, its job is not, so the record is deleted again and the trigger is a 507; the database holds
/// no report but those triggered before, and a trigger works once there is space.
/// </summary>
public sealed class DiskFullJobQueueTests : IDisposable
{
    private readonly TestDatabase _database = TestDatabase.Create(DatabaseKind.Sqlite);
    private readonly TempDirectory _folder = new();

    public void Dispose()
    {
        _database.Dispose();
        _folder.Dispose();
    }

    [SkippableFact]
    public async Task A_trigger_whose_job_cannot_be_queued_for_a_full_disk_deletes_its_report_and_is_a_507_problem()
    {
        using var disk = SmallDisk.MountOn(_folder.Path, 2);
        var jobs = Storemon.Api.Reports.ReportJobSetup.JobDatabasePath(_database.Connection);
        File.CreateSymbolicLink(jobs, Path.Combine(disk.Folder, "storemon.jobs.db"));
        using (var service = new ServiceFactory(_database))
        {
            var client = service.CreateClient();
            using (var before = await client.PostCsv("/imports/status", FullDisk.Before))
            {
                await before.Summary();
            }
            var first = await client.TriggerReport();
            await client.WaitUntilFinished(first);
            disk.FillLeaving(0);

            var (answered, _) = await FullDisk.TriggerUntilRefused(client);

            // The refused report's record was written, then deleted: the database's disk has room.
            Assert.Equal(1 + answered.Count, _database.Count("report"));
            Assert.Equal([.. answered.AsEnumerable().Reverse(), first], await FullDisk.ListedReports(client));

            disk.Free();
            var again = await client.TriggerReport();
            var finished = await client.WaitUntilFinished(again);

            Assert.Equal("Complete", finished.GetProperty("status").GetString());
            Assert.Equal(2 + answered.Count, _database.Count("report"));
        }
        SqliteConnection.ClearAllPools();
    }
}

/// <summary>
/// The service keeps an upload in a temporary file while it imports it: with its temporary folder on a
/// full disk (and its database elsewhere) an upload is a 507 that names the service's disk.
/// </summary>
public sealed class DiskFullUploadTests : IDisposable
{
    private readonly TestDatabase _database = TestDatabase.Create(DatabaseKind.Sqlite);
    private readonly TempDirectory _temporary = new();

    public void Dispose()
    {
        _database.Dispose();
        _temporary.Dispose();
    }

    [SkippableFact]
    public async Task An_upload_that_fills_the_services_temporary_disk_is_a_507_problem_and_imports_nothing()
    {
        var database = _database;
        // Unmounted after the service has stopped, before the folder goes.
        using var disk = SmallDisk.MountOn(_temporary.Path, 2);
        using var server = await ServerProcess.Start(database.Connection, ("TMPDIR", disk.Folder));
        using var client = server.Client();
        disk.FillLeaving(FullDisk.Left);
        var big = FullDisk.Csv(ImportKind.Status);

        using (var upload = await client.PostCsv("/imports/status", big))
        {
            Assert.Equal(
                "The service's disk is full (an upload is kept in a temporary file while it is imported): nothing of the upload was imported. Free space on it and send the request again.",
                await upload.AssertProblem(HttpStatusCode.InsufficientStorage, "Insufficient storage"));
        }
        Assert.Equal(0, database.Count("poll"));
        Assert.Contains("POST /imports/status failed: a disk is full.", server.Output, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(disk.Folder, "tmp*.tmp"));   // the upload's temporary file is gone

        disk.Free();
        using var again = await client.PostCsv("/imports/status", big);

        Assert.Equal(FullDisk.Rows, (await again.Summary()).GetProperty("imported").GetInt32());
    }
}

/// <summary>A file that cannot be written for lack of space is told apart from a full database, however it is wrapped.</summary>
public sealed class DiskFullFileTests
{
    [SkippableFact]
    public void A_write_that_finds_the_disk_full_is_a_full_file_not_a_full_database()
    {
        using var folder = new TempDirectory();
        using var disk = SmallDisk.MountOn(folder.Path, 1);

        var error = Assert.ThrowsAny<IOException>(() => File.WriteAllBytes(Path.Combine(disk.Folder, "upload.csv"), new byte[2 * 1024 * 1024]));

        Assert.Equal(28, error.HResult);   // ENOSPC
        Assert.True(DiskFull.OfFile(error));
        Assert.True(DiskFull.OfFile(new InvalidOperationException("wrapped", error)));
        Assert.True(DiskFull.OfFile(new AggregateException(new TimeoutException(), error)));
        Assert.False(DiskFull.OfDatabase(error));
        Assert.False(DiskFull.OfFile(new IOException("another I/O error")));
    }
}
