using Microsoft.Data.Sqlite;
using NodaTime;
using Storemon.Api.Reports;
using Storemon.Reports;
using Storemon.Storage;
using Storemon.Tests.Api;
using Storemon.Tests.Databases;

namespace Storemon.Tests.EndToEnd;

/// <summary>
/// The real service given a file that cannot be its database stops at once with one line that names the
/// file and says why, and a non-zero exit code: not the driver's error under a stack trace.
/// </summary>
public sealed class UnusableDatabaseTests
{
    [Fact]
    public async Task A_text_file_as_the_database_stops_the_service_with_one_line_naming_it()
    {
        using var database = TestDatabase.Create(DatabaseKind.Sqlite);
        File.WriteAllText(database.Connection, "store_id,status,timestamp_utc\n");

        var (exitCode, output) = await ServerProcess.RunToExit(database.Connection);

        Assert.Equal(1, exitCode);
        Assert.Equal($"storemon: cannot start: {database.Connection} is not a SQLite database.", output.Trim());
        Assert.Equal("store_id,status,timestamp_utc\n", File.ReadAllText(database.Connection));
    }

    [Fact]
    public async Task An_empty_database_file_stops_the_service_with_one_line_naming_it_and_is_left_empty()
    {
        using var database = TestDatabase.Create(DatabaseKind.Sqlite);
        File.WriteAllBytes(database.Connection, []);

        var (exitCode, output) = await ServerProcess.RunToExit(database.Connection);

        Assert.Equal(1, exitCode);
        Assert.Equal(
            $"storemon: cannot start: the database {database.Connection} is an empty file (0 bytes), most likely a database cut short or lost: restore it from a backup, or remove it to start a new database.",
            output.Trim());
        Assert.Equal(0, new FileInfo(database.Connection).Length);
    }

    // The job queue's file, unlike the database's, holds nothing the service cannot make again: at start
    // every unfinished report of a SQLite database is queued anew from the database's own records.
    [Fact]
    public async Task An_empty_job_queue_file_is_made_anew_and_the_unfinished_reports_are_run()
    {
        using var database = TestDatabase.Create(DatabaseKind.Sqlite);
        var now = SystemClock.Instance.GetCurrentInstant();
        database.Store.WritePolls(ServiceCalls.HourlyPolls("s1", now, 24), CancellationToken.None);
        const string id = "0123456789abcdef0123456789abcdef";
        database.Store.CreateReport(new ReportRecord(id, ReportStatus.Pending, new ReportRequest(), now, HeartbeatAt: now));
        var jobs = ReportJobSetup.JobDatabasePath(database.Connection);
        File.WriteAllBytes(jobs, []);

        using var server = await ServerProcess.Start(database.Connection);
        using var client = server.Client();
        var finished = await client.WaitUntilFinished(id);

        Assert.Equal("Complete", finished.GetProperty("status").GetString());
        Assert.Equal([ReportCsv.Header, "s1"], ServiceCalls.CsvOf(finished).Trim().Split('\n').Select(line => line.Split(',')[0] == "store_id" ? line : line.Split(',')[0]));
        Assert.True(new FileInfo(jobs).Length > 0);
    }

    [Fact]
    public async Task A_damaged_sqlite_file_stops_the_service_with_one_line_naming_it()
    {
        using var database = TestDatabase.Create(DatabaseKind.Sqlite);
        // SQLite's header, then a first page that is not one.
        File.WriteAllBytes(database.Connection, [.. "SQLite format 3\0"u8, .. Enumerable.Repeat((byte)0xA5, 4096 - 16)]);

        var (exitCode, output) = await ServerProcess.RunToExit(database.Connection);

        Assert.Equal(1, exitCode);
        Assert.Matches($"^storemon: cannot start: (the database )?{System.Text.RegularExpressions.Regex.Escape(database.Connection)} is (damaged|not a SQLite database)", output.Trim());
        Assert.Single(output.Trim().Split('\n'));
    }
}
