using Microsoft.Data.Sqlite;
using Npgsql;
using Storemon.Tests.Databases;
using Storemon.Tests.Generate;

namespace Storemon.Tests.Cli;

/// <summary>
/// What the user sees when a command cannot do its work: one line on standard error that names the
/// file or database and says what is wrong in plain words, never a .NET stack trace, and the exit code
/// of the convention (1 the work failed, 2 the command line is wrong).
/// </summary>
public sealed class CommandLineErrorTests : IDisposable
{
    private const int Failed = 1;
    private const int Usage = 2;

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private string PathOf(string name) => _directory.File(name);

    [Fact]
    public void A_report_on_a_database_in_a_missing_folder_names_the_path()
    {
        var result = StoremonProcess.Run("report", "--db", "/missing/dir/x.db");

        Assert.Equal("storemon report: the database /missing/dir/x.db does not exist (storemon import creates it).", ErrorLine(result, Failed));
    }

    [Fact]
    public void A_report_on_a_missing_database_file_fails_and_does_not_create_it()
    {
        var database = PathOf("does-not-exist.db");

        var result = StoremonProcess.Run("report", "--db", database);

        Assert.Contains($"the database {database} does not exist", ErrorLine(result, Failed), StringComparison.Ordinal);
        Assert.Equal("", result.StandardOutput);
        Assert.Empty(Directory.GetFiles(_directory.Path));
    }

    [Fact]
    public void A_report_on_a_file_that_is_not_a_database_says_so()
    {
        var text = PathOf("notes.txt");
        File.WriteAllText(text, "store_id,status\nthis is not a database\n");

        var result = StoremonProcess.Run("report", "--db", text);

        Assert.Equal($"storemon report: {text} is not a SQLite database.", ErrorLine(result, Failed));
        Assert.Equal("store_id,status\nthis is not a database\n", File.ReadAllText(text));
    }

    // An empty file where the database should be was a database once, most likely: neither command makes
    // a new one in it, import (which creates a missing database) included.
    [Theory]
    [InlineData("report")]
    [InlineData("import")]
    public void A_command_on_an_empty_database_file_refuses_it_and_leaves_it_empty(string command)
    {
        var database = PathOf("storemon.db");
        File.WriteAllBytes(database, []);
        var polls = PathOf("polls.csv");
        File.WriteAllText(polls, "store_id,status,timestamp_utc\ns1,active,2024-10-14 09:00:00 UTC\n");

        var result = command == "import"
            ? StoremonProcess.Run("import", "--db", database, "--status", polls)
            : StoremonProcess.Run("report", "--db", database);

        Assert.Equal(
            $"storemon {command}: the database {database} is an empty file (0 bytes), most likely a database cut short or lost: restore it from a backup, or remove it to start a new database.",
            ErrorLine(result, Failed));
        Assert.Equal("", result.StandardOutput);
        Assert.Equal(0, new FileInfo(database).Length);
        Assert.Equal(["polls.csv", "storemon.db"], Directory.GetFiles(_directory.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void An_import_to_a_missing_database_file_still_creates_it()
    {
        var database = PathOf("new.db");
        var polls = PathOf("polls.csv");
        File.WriteAllText(polls, "store_id,status,timestamp_utc\ns1,active,2024-10-14 09:00:00 UTC\n");

        var result = StoremonProcess.Run("import", "--db", database, "--status", polls);

        Assert.True(result.ExitCode == 0, result.StandardError);
        Assert.True(new FileInfo(database).Length > 0);
    }

    [Fact]
    public void A_report_to_a_file_in_a_missing_folder_names_the_folder()
    {
        var database = ImportedDatabase();
        var output = PathOf("missing/r.csv");

        var result = StoremonProcess.Run("report", "--db", database, "--output", output);

        Assert.Equal($"storemon report: cannot write the report to {output}: the folder {PathOf("missing")} does not exist.", ErrorLine(result, Failed));
        Assert.Equal("", result.StandardOutput);
    }

    [Fact]
    public void A_report_to_a_folder_says_it_is_a_folder()
    {
        var result = StoremonProcess.Run("report", "--db", ImportedDatabase(), "--output", _directory.Path);

        Assert.Equal($"storemon report: cannot write the report to {_directory.Path}: it is a folder.", ErrorLine(result, Failed));
    }

    [Fact]
    public void A_folder_given_as_a_file_to_import_is_named_and_the_other_files_still_go_in()
    {
        var database = PathOf("x.db");
        var zones = PathOf("zones.csv");
        File.WriteAllText(zones, "store_id,timezone_str\n1,Asia/Kolkata\n");

        var result = StoremonProcess.Run("import", "--db", database, "--status", _directory.Path, "--timezones", zones);

        Assert.Equal($"storemon import: the status file {_directory.Path} is a folder, not a file.", ErrorLine(result, Failed));
        Assert.Contains("zones.csv (time zones): 1 rows read, 1 imported, 0 rejected", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_to_import_is_named()
    {
        var missing = PathOf("nope.csv");

        var result = StoremonProcess.Run("import", "--db", PathOf("x.db"), "--hours", missing);

        Assert.Equal($"storemon import: the business-hours file {missing} does not exist.", ErrorLine(result, Failed));
    }

    [Fact]
    public void An_import_creates_a_new_database_file_but_not_in_a_missing_folder()
    {
        var zones = PathOf("zones.csv");
        File.WriteAllText(zones, "store_id,timezone_str\n1,Asia/Kolkata\n");

        var created = StoremonProcess.Run("import", "--db", PathOf("new.db"), "--timezones", zones);
        var refused = StoremonProcess.Run("import", "--db", PathOf("missing/new.db"), "--timezones", zones);

        Assert.Equal(0, created.ExitCode);
        Assert.True(File.Exists(PathOf("new.db")));
        Assert.Equal($"storemon import: cannot create the database {PathOf("missing/new.db")}: the folder {PathOf("missing")} does not exist.", ErrorLine(refused, Failed));
    }

    [Fact]
    public void Generate_names_a_missing_input_file()
    {
        var zones = PathOf("zones.csv");
        File.WriteAllText(zones, "store_id,timezone_str\n1,Asia/Kolkata\n");

        var result = StoremonProcess.Run("generate", "--out", PathOf("out"), "--hours", "/nope.csv", "--timezones", zones);

        Assert.Equal("storemon generate: the business-hours file /nope.csv does not exist.", ErrorLine(result, Failed));
        Assert.False(Directory.Exists(PathOf("out")));
    }

    [Theory]
    [InlineData("--hours")]
    [InlineData("--timezones")]
    public void Generate_refuses_one_store_file_without_the_other(string option)
    {
        var file = PathOf("stores.csv");
        File.WriteAllText(file, "store_id,timezone_str\n1,Asia/Kolkata\n");

        var result = StoremonProcess.Run("generate", "--out", PathOf("out"), option, file);

        Assert.Equal("storemon generate: --hours and --timezones go together: the stores are those of both files; give both.", ErrorLine(result, Usage));
        Assert.False(Directory.Exists(PathOf("out")));
    }

    [Fact]
    public void Generate_into_a_file_says_it_is_not_a_folder()
    {
        var file = PathOf("taken");
        File.WriteAllText(file, "");

        var result = StoremonProcess.Run("generate", "--out", file, "--stores", "3");

        Assert.Equal($"storemon generate: cannot write the data set to {file}: it is a file, not a folder.", ErrorLine(result, Failed));
    }

    [Fact]
    public void A_value_out_of_range_is_a_usage_error_in_plain_words()
    {
        var result = StoremonProcess.Run("generate", "--out", PathOf("out"), "--stores", "0");

        Assert.Equal("storemon generate: The number of stores must be 1 to 10 million, not 0.", ErrorLine(result, Usage));
    }

    [Fact]
    public void An_unreachable_PostgreSQL_server_is_one_line_that_names_it_but_not_the_password()
    {
        var result = StoremonProcess.Run("report", "--db", "Host=127.0.0.1;Port=1;Database=storemon;Username=app;Password=s3cret");

        var line = ErrorLine(result, Failed);
        Assert.StartsWith("storemon report: cannot connect to the PostgreSQL database at Host=127.0.0.1;Port=1;Database=storemon;Username=app: ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Usage_errors_exit_with_2_one_line_each()
    {
        var unknown = StoremonProcess.Run("report", "--db", PathOf("x.db"), "--bogus");
        var noFile = StoremonProcess.Run("import", "--db", PathOf("x.db"));
        var badTime = StoremonProcess.Run("report", "--db", PathOf("x.db"), "--as-of", "yesterday");

        Assert.Equal("storemon report: Unrecognized command or argument '--bogus'.", ErrorLine(unknown, Usage));
        Assert.Equal("storemon import: Give at least one of --status, --hours, --timezones.", ErrorLine(noFile, Usage));
        // A bare ISO time is read as UTC, and the message says so.
        Assert.Contains("'yesterday' is not a timestamp", ErrorLine(badTime, Usage), StringComparison.Ordinal);
        Assert.Contains("without a zone (read as UTC)", badTime.StandardError, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_directory.Path));
    }

    [Fact]
    public void A_report_time_without_a_zone_is_read_as_UTC()
    {
        var database = ImportedDatabase();

        var bare = StoremonProcess.Run("report", "--db", database, "--as-of", "2023-01-23T17:00:00");
        var utc = StoremonProcess.Run("report", "--db", database, "--as-of", "2023-01-23T17:00:00Z");

        Assert.Equal((0, 0), (bare.ExitCode, utc.ExitCode));
        Assert.Equal(utc.StandardOutput, bare.StandardOutput);
        Assert.Contains("as of 2023-01-23T17:00:00Z", bare.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_states_the_exit_codes_and_shows_values_as_they_are_typed()
    {
        var root = StoremonProcess.Run("--help");
        var report = StoremonProcess.Run("report", "--help");

        Assert.Equal((0, 0), (root.ExitCode, report.ExitCode));
        Assert.Contains("Exit codes: 0 success; 1 the work failed", root.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("2 the command line is wrong", root.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("<carry-forward|nearest>", report.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("Nearest", report.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("without a zone (read as UTC)", report.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unexpected_failure_is_one_line_and_its_details_only_on_request()
    {
        // A database whose schema was damaged by hand: it opens, and the report then finds a table missing.
        var database = ImportedDatabase();
        using (var connection = new SqliteConnection($"Data Source={database};Pooling=False"))
        {
            connection.Open();
            using var drop = connection.CreateCommand();
            drop.CommandText = "DROP TABLE business_hours";
            drop.ExecuteNonQuery();
        }

        var plain = StoremonProcess.Run("report", "--db", database);
        var detailed = ChildProcess.Run("env", ["STOREMON_DEBUG=1", "dotnet", Path.Combine(AppContext.BaseDirectory, "storemon.dll"), "report", "--db", database], TimeSpan.FromMinutes(2));

        Assert.StartsWith("storemon report: ", ErrorLine(plain, Failed), StringComparison.Ordinal);
        Assert.Contains("business_hours", plain.StandardError, StringComparison.Ordinal);
        Assert.Equal(Failed, detailed.ExitCode);
        Assert.Contains("   at ", detailed.StandardError, StringComparison.Ordinal);
    }

    /// <summary>A SQLite database with the SPEC's worked example in it: one store, two polls.</summary>
    private string ImportedDatabase()
    {
        var database = PathOf("example.db");
        File.WriteAllText(PathOf("hours.csv"), "store_id,dayOfWeek,start_time_local,end_time_local\nw,0,09:00:00,12:00:00\n");
        File.WriteAllText(PathOf("polls.csv"), "store_id,status,timestamp_utc\nw,active,2023-01-23 15:14:00 UTC\nw,inactive,2023-01-23 16:15:00 UTC\n");
        var import = StoremonProcess.Run("import", "--db", database, "--hours", PathOf("hours.csv"), "--status", PathOf("polls.csv"));
        Assert.Equal(0, import.ExitCode);
        return database;
    }

    /// <summary>Asserts the exit code and that standard error is one plain line, no stack trace, and returns that line.</summary>
    internal static string ErrorLine(ChildProcess.Result result, int exitCode)
    {
        Assert.DoesNotContain("Unhandled exception", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter '", result.StandardError, StringComparison.Ordinal);
        Assert.Equal(exitCode, result.ExitCode);
        return Assert.Single(result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}

/// <summary>Failures of a real PostgreSQL server, said as plainly as those of a file.</summary>
public sealed class PostgresCommandLineErrorTests() : DatabaseTest(DatabaseKind.Postgres)
{
    [SkippableFact]
    public void A_PostgreSQL_database_that_does_not_exist_is_named()
    {
        var missing = new NpgsqlConnectionStringBuilder(Db.Connection) { Database = "storemon_no_such_database" };

        var result = StoremonProcess.Run("report", "--db", missing.ConnectionString);

        var line = CommandLineErrorTests.ErrorLine(result, 1);
        Assert.StartsWith($"storemon report: cannot connect to the PostgreSQL database at Host={missing.Host};Port={missing.Port};Database=storemon_no_such_database", line, StringComparison.Ordinal);
        Assert.EndsWith(": database \"storemon_no_such_database\" does not exist.", line, StringComparison.Ordinal);
    }
}
