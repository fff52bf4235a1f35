using System.Globalization;
using Storemon.Reports;
using Storemon.Tests.Databases;

namespace Storemon.Tests.Cli;

/// <summary>The <c>storemon</c> program end to end: its commands, exit codes and output, with <c>--db</c> a SQLite file or a PostgreSQL connection string.</summary>
public abstract class CommandLineTests(DatabaseKind kind) : DatabaseTest(kind)
{
    private string PathOf(string name) => Db.PathOf(name);

    // The SPEC's worked example: Monday 09:00-12:00 in New York, polls at 10:14 (up) and 11:15 (down).
    private void ImportWorkedExample(string db)
    {
        File.WriteAllText(PathOf("hours.csv"), "store_id,dayOfWeek,start_time_local,end_time_local\nw,0,09:00:00,12:00:00\n");
        File.WriteAllText(PathOf("zones.csv"), "store_id,timezone_str\nw,America/New_York\n");
        File.WriteAllText(PathOf("polls.csv"), "store_id,status,timestamp_utc\nw,active,2023-01-23 15:14:00 UTC\nw,inactive,2023-01-23 16:15:00 UTC\n");
        Assert.Equal(0, StoremonProcess.Run("import", "--db", db, "--hours", PathOf("hours.csv"), "--timezones", PathOf("zones.csv"), "--status", PathOf("polls.csv")).ExitCode);
    }

    [SkippableFact]
    public void Import_then_report_writes_the_same_csv_as_the_report_runner_over_the_same_database()
    {
        var db = Db.Connection;
        var import = StoremonProcess.Run("import", "--db", db,
            "--hours", SharedData.PathOf("v2_menu_hours.csv"),
            "--timezones", SharedData.PathOf("v2_timezones.csv"),
            "--status", SharedData.PathOf("v2_store_status_sample.csv"));

        Assert.Equal(0, import.ExitCode);
        Assert.Contains("v2_menu_hours.csv (business hours): 35,457 rows read, 35,457 imported, 0 rejected", import.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("v2_timezones.csv (time zones): 4,559 rows read, 4,559 imported, 0 rejected", import.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("v2_store_status_sample.csv (status polls): 1,000 rows read, 1,000 imported, 0 rejected", import.StandardOutput, StringComparison.Ordinal);

        var report = StoremonProcess.Run("report", "--db", db);

        Assert.Equal(0, report.ExitCode);
        using var expected = new StringWriter();
        using var store = Db.Open();
        var summary = ReportRunner.Run(store, new ReportRequest(), expected);
        Assert.Equal(expected.ToString(), report.StandardOutput);
        Assert.Equal(summary.Stores + 1, report.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        // Every store with a poll in the week before the latest poll has a row: counted here by SQL.
        var observedAt = Db.Microseconds("observed_at");
        Assert.Equal(798, Db.Scalar($"SELECT count(DISTINCT store_key) FROM poll WHERE {observedAt} >= (SELECT max({observedAt}) FROM poll) - 168 * 3600000000"));
        Assert.Equal(798, summary.Stores);
        Assert.Contains($"report: {ReportProvenance.Of(new ReportRequest(), summary)};", report.StandardError, StringComparison.Ordinal);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"(latest poll), nearest, max_gap none, tzdb {ReportProvenance.CurrentTzdbVersion}, {summary.Stores:N0} stores, {summary.PollRows:N0} polls, latest poll "),
            report.StandardError, StringComparison.Ordinal);
    }

    // The SPEC's worked example with max_gap: the unknown columns, and the limit in the summary line.
    [SkippableFact]
    public void Report_takes_a_max_gap_and_says_it_in_its_summary_and_refuses_one_out_of_range()
    {
        var db = Db.Connection;
        ImportWorkedExample(db);

        var limited = StoremonProcess.Run("report", "--db", db, "--as-of", "2023-01-23T17:00:00Z", "--max-gap", "PT30M");
        var tooLong = StoremonProcess.Run("report", "--db", db, "--max-gap", "P8D");

        Assert.Equal(0, limited.ExitCode);
        Assert.Equal($"{ReportCsv.HeaderWithUnknown}\nw,0.00,1.00,1.00,45.00,1.00,1.00,15.00,1.00,1.00\n", limited.StandardOutput);
        Assert.Contains("report: as of 2023-01-23T17:00:00Z (as_of), nearest, max_gap PT30M, tzdb ", limited.StandardError, StringComparison.Ordinal);
        Assert.Contains(", 1 stores, 2 polls, latest poll 2023-01-23T16:15:00Z;", limited.StandardError, StringComparison.Ordinal);
        Assert.Equal(2, tooLong.ExitCode);
        Assert.Equal("storemon report: 'P8D' is not a max gap: use an ISO 8601 duration from PT1M (1 minute) to P7D (7 days), such as PT2H.", tooLong.StandardError.Trim());
    }

    [SkippableFact]
    public void Report_takes_the_report_time_and_the_interpolation_and_writes_to_a_file()
    {
        var db = Db.Connection;
        ImportWorkedExample(db);

        var nearest = StoremonProcess.Run("report", "--db", db, "--as-of", "2023-01-23T17:00:00Z", "--output", PathOf("nearest.csv"));
        var carried = StoremonProcess.Run("report", "--db", db, "--as-of", "2023-01-23 12:00:00-05:00", "--interpolation", "carry-forward", "--output", PathOf("carried.csv"));

        Assert.Equal((0, ""), (nearest.ExitCode, nearest.StandardOutput));
        Assert.Equal(0, carried.ExitCode);
        // Last hour 11:00-12:00 local; day and week hold the whole 09:00-12:00.
        Assert.Equal($"{ReportCsv.Header}\nw,0.00,1.74,1.74,60.00,1.26,1.26\n", File.ReadAllText(PathOf("nearest.csv")));
        Assert.Equal($"{ReportCsv.Header}\nw,15.00,2.25,2.25,45.00,0.75,0.75\n", File.ReadAllText(PathOf("carried.csv")));
    }

    [SkippableFact]
    public void A_file_without_a_required_column_is_refused_with_exit_code_1_and_the_other_files_still_go_in()
    {
        var db = Db.Connection;
        File.WriteAllText(PathOf("polls.csv"), "store_id,status\n1,active\n");
        File.WriteAllText(PathOf("zones.csv"), "store_id,timezone_str\n1,Asia/Kolkata\n");

        var import = StoremonProcess.Run("import", "--db", db, "--status", PathOf("polls.csv"), "--timezones", PathOf("zones.csv"));

        Assert.Equal(1, import.ExitCode);
        Assert.Contains("timestamp_utc", import.StandardError, StringComparison.Ordinal);
        Assert.Contains("nothing was imported", import.StandardError, StringComparison.Ordinal);
        Assert.Contains("zones.csv (time zones): 1 rows read, 1 imported, 0 rejected", import.StandardOutput, StringComparison.Ordinal);
        Assert.Equal("0 Asia/Kolkata", Db.Text("SELECT (SELECT count(*) FROM poll) || ' ' || (SELECT time_zone FROM store WHERE external_id = '1')"));
    }

    [SkippableFact]
    public void Bad_rows_are_listed_with_file_line_and_reason_while_the_good_rows_go_in()
    {
        var db = Db.Connection;
        File.WriteAllText(PathOf("polls.csv"), "store_id,status,timestamp_utc\n1,active,2023-01-01 00:00:00 UTC\n2,sleeping,2023-01-01 00:00:00 UTC\n");

        var import = StoremonProcess.Run("import", "--db", db, "--status", PathOf("polls.csv"));

        Assert.Equal(0, import.ExitCode);
        Assert.Contains("2 rows read, 1 imported, 1 rejected", import.StandardOutput, StringComparison.Ordinal);
        Assert.Contains($"{PathOf("polls.csv")}:3: status \"sleeping\" is neither active nor inactive.", import.StandardOutput, StringComparison.Ordinal);
    }

    // The CLI reads the machine's clock, so the polls are placed around it, far from the limit.
    [SkippableFact]
    public void Import_rejects_polls_past_the_future_skew_after_the_machine_clock_24_hours_unless_told_otherwise()
    {
        var now = DateTimeOffset.UtcNow;
        string At(TimeSpan offset) => (now + offset).ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
        File.WriteAllText(PathOf("polls.csv"),
            $"store_id,status,timestamp_utc\n1,active,{At(TimeSpan.FromHours(2))}\n2,active,{At(TimeSpan.FromHours(30))}\n3,active,2099-01-01 00:00:00 UTC\n");

        var byDefault = StoremonProcess.Run("import", "--db", Db.Connection, "--status", PathOf("polls.csv"));
        var tighter = StoremonProcess.Run("import", "--db", Db.Connection, "--status", PathOf("polls.csv"), "--max-future-skew", "PT1H");
        var wrong = StoremonProcess.Run("import", "--db", Db.Connection, "--status", PathOf("polls.csv"), "--max-future-skew", "1 day");

        Assert.Equal(0, byDefault.ExitCode);
        Assert.Contains("3 rows read, 1 imported, 2 rejected", byDefault.StandardOutput, StringComparison.Ordinal);
        Assert.Contains($"{PathOf("polls.csv")}:3: timestamp_utc \"{At(TimeSpan.FromHours(30))}\" is in the future: more than 24 h after this service's clock at import (",
            byDefault.StandardOutput, StringComparison.Ordinal);
        Assert.Contains($"{PathOf("polls.csv")}:4: timestamp_utc \"2099-01-01 00:00:00 UTC\" is in the future: more than 24 h", byDefault.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(0, tighter.ExitCode);
        Assert.Contains("3 rows read, 0 imported, 3 rejected", tighter.StandardOutput, StringComparison.Ordinal);
        Assert.Contains($"{PathOf("polls.csv")}:2: timestamp_utc \"{At(TimeSpan.FromHours(2))}\" is in the future: more than 1 h", tighter.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(1, Db.Count("poll"));
        Assert.Equal(2, wrong.ExitCode);
        Assert.Contains("--max-future-skew \"1 day\" is not an ISO 8601 duration from PT0S to P3650D, such as PT24H.", wrong.StandardError, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void An_unreadable_report_time_is_an_error_that_names_the_value()
    {
        var result = StoremonProcess.Run("report", "--db", Db.Connection, "--as-of", "yesterday");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("'yesterday' is not a timestamp", result.StandardError + result.StandardOutput, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void A_report_on_an_empty_database_is_the_header_alone()
    {
        // Empty, but there: a report on a SQLite file that does not exist is an error.
        Db.Open().Dispose();

        var result = StoremonProcess.Run("report", "--db", Db.Connection);

        Assert.Equal((0, ReportCsv.Header + "\n"), (result.ExitCode, result.StandardOutput));
    }

    [SkippableFact]
    public void Generate_writes_the_same_files_for_the_same_seed_and_they_import_cleanly()
    {
        var first = StoremonProcess.Run("generate", "--out", PathOf("a"), "--stores", "40", "--days", "3", "--seed", "5");
        var second = StoremonProcess.Run("generate", "--out", PathOf("b"), "--stores", "40", "--days", "3", "--seed", "5");

        Assert.Equal((0, 0), (first.ExitCode, second.ExitCode));
        foreach (var file in new[] { "store_status.csv", "menu_hours.csv", "timezones.csv" })
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(PathOf("a"), file)), File.ReadAllBytes(Path.Combine(PathOf("b"), file)));
        }
        var import = StoremonProcess.Run("import", "--db", Db.Connection,
            "--status", Path.Combine(PathOf("a"), "store_status.csv"),
            "--hours", Path.Combine(PathOf("a"), "menu_hours.csv"),
            "--timezones", Path.Combine(PathOf("a"), "timezones.csv"));
        Assert.Equal(0, import.ExitCode);
        Assert.DoesNotContain(" 1 rejected", import.StandardOutput, StringComparison.Ordinal);
        Assert.Matches(@"store_status\.csv \(status polls\): ([\d,]+) rows read, \1 imported, 0 rejected", import.StandardOutput);
    }
}

public sealed class CommandLineTests_Sqlite() : CommandLineTests(DatabaseKind.Sqlite);

public sealed class CommandLineTests_Postgres() : CommandLineTests(DatabaseKind.Postgres);
