using System.Net;
using Microsoft.Data.Sqlite;
using Storemon.Import;
using Storemon.Tests.Api;
using Storemon.Tests.Databases;
using Storemon.Tests.Import;
using Xunit.Abstractions;

namespace Storemon.Tests.EndToEnd;

/// <summary>
/// /health of the real service over a real SQLite file, when the file's disk is full and when a page of
/// the file is damaged: the database's writes, or the database, are Unhealthy (503) by name, and a full
/// disk passes once writes succeed again.
/// </summary>
public sealed class StorageHealthTests(ITestOutputHelper log)
{
    // The probe and the job servers are read again every second, not every five: the test waits less.
    private static readonly (string, string) ShortCache = ("Health__CacheFor", "00:00:01");

    [SkippableFact]
    public async Task A_full_disk_makes_health_name_the_failing_writes_and_health_returns_once_writes_succeed_again()
    {
        using var small = DatabaseOnSmallDisk.Create(DatabaseKind.Sqlite, forService: true);
        using var server = await ServerProcess.Start(small.Database.Connection, ShortCache);
        using var client = server.Client();
        await (await client.PostCsv("/imports/status", FullDisk.Before)).Summary();
        await client.CompleteReport();
        var healthyBefore = await HealthAnswer.Get(client);

        small.Disk.FillLeaving(FullDisk.Left);
        // Either the report's record (the database) or its job (the queue's file) meets the full disk first.
        using var trigger = await client.PostAsync("/trigger_report", null);
        log.WriteLine($"trigger_report on the full disk: {(int)trigger.StatusCode} {await trigger.Content.ReadAsStringAsync()}");
        using var upload = await client.PostCsv("/imports/status", FullDisk.Csv(ImportKind.Status));
        var full = await HealthAnswer.Get(client);
        log.WriteLine($"/health on the full disk: {full}");

        small.Disk.Free();
        var imported = await (await client.PostCsv("/imports/status", FullDisk.Csv(ImportKind.Status))).Summary();
        await client.CompleteReport();
        var healthyAfter = await HealthAnswer.Until(client, answer => answer.Code == HttpStatusCode.OK);
        log.WriteLine($"/health once there is space again and writes succeeded: {healthyAfter}");

        Assert.Equal(HttpStatusCode.OK, healthyBefore.Code);
        Assert.Equal(HttpStatusCode.InsufficientStorage, trigger.StatusCode);
        // The trigger's failure is named by the part whose write failed.
        if (full["jobs"].Status == "Unhealthy")
        {
            Assert.Matches(@"^Reports cannot be queued since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC: the job queue's storage failed because its disk is full\. This clears when a report is queued\.$",
                full["jobs"].Description);
        }
        else
        {
            Assert.Matches(@"Report runs fail since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC: the database failed them because its disk is full\.", full["database-writes"].Description);
        }
        Assert.Equal(HttpStatusCode.InsufficientStorage, upload.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, full.Code);
        Assert.Equal("Unhealthy", full.Status);
        Assert.Equal("Unhealthy", full["database-writes"].Status);
        Assert.Matches(@"Imports fail since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC: the database failed them because its disk is full\. This clears when an import writes rows, or when the database takes writes for 5 minutes without another such failure\.",
            full["database-writes"].Description);
        Assert.Equal("Healthy", full["database"].Status);
        Assert.Equal(FullDisk.Rows, imported.GetProperty("imported").GetInt32());
        Assert.Equal(HttpStatusCode.OK, healthyAfter.Code);
        Assert.Equal("Healthy", healthyAfter.Status);
    }

    [SkippableFact]
    public async Task A_damaged_page_of_the_polls_makes_health_name_the_database_once_a_report_finds_it()
    {
        using var database = TestDatabase.Create(DatabaseKind.Sqlite);
        using (var first = await ServerProcess.Start(database.Connection))
        {
            using var client = first.Client();
            await (await client.PostCsv("/imports/status", FullDisk.Csv(ImportKind.Status))).Summary();
            await client.CompleteReport();
        }
        var page = DamagePollRoot(database.Connection);
        log.WriteLine($"Overwrote page {page} (the root of table poll) with garbage");

        using var server = await ServerProcess.Start(database.Connection, ShortCache);
        using var service = server.Client();
        var healthyAtStart = await HealthAnswer.Get(service);
        var id = await service.TriggerReport();
        var failed = await service.WaitUntilFinished(id);
        var damaged = await HealthAnswer.Get(service);
        log.WriteLine($"/health after the report: {damaged}");

        Assert.Equal(HttpStatusCode.OK, healthyAtStart.Code);
        Assert.True(page > 1, $"the root of poll is page {page}");
        Assert.Equal("Failed", failed.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, damaged.Code);
        Assert.Equal("Unhealthy", damaged["database"].Status);
        Assert.Matches($@"^The database {Path.GetFileName(database.Connection).Replace(".", @"\.", StringComparison.Ordinal)} is damaged: a report run found corrupt data at \d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d UTC\. Repair it or restore it from a backup, then restart the service \(this stays until the restart\)\.$",
            damaged["database"].Description);
    }

    /// <summary>
    /// Writes the write-ahead log into the file, then overwrites the root page of table poll with garbage;
    /// returns the page's number. The file's first page (the schema) is left alone: the service starts.
    /// </summary>
    private static long DamagePollRoot(string path)
    {
        long root, pageSize;
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var checkpoint = connection.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
            checkpoint.ExecuteNonQuery();
            using var rootPage = connection.CreateCommand();
            rootPage.CommandText = "SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = 'poll'";
            root = (long)rootPage.ExecuteScalar()!;
            using var size = connection.CreateCommand();
            size.CommandText = "PRAGMA page_size";
            pageSize = (long)size.ExecuteScalar()!;
        }
        var garbage = new byte[pageSize];
        new Random(7).NextBytes(garbage);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Write);
        file.Seek((root - 1) * pageSize, SeekOrigin.Begin);
        file.Write(garbage);
        return root;
    }
}
