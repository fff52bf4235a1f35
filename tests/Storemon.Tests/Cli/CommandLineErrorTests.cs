using Storemon.Tests.Generate;

namespace Storemon.Tests.Cli;

/// <summary>
/// What the user sees when a command cannot do its work: one line on standard error that names the
/// file or database and says what is wrong in plain words, never a .NET stack trace, and the exit code
/// of the convention (1 the work failed, 2 the command line is wrong).
/// </summary>
public sealed class CommandLineErrorTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private string PathOf(string name) => _directory.File(name);

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
    public void An_unreadable_report_time_says_that_a_time_without_a_zone_is_read_as_UTC()
    {
        var result = StoremonProcess.Run("report", "--db", PathOf("x.db"), "--as-of", "yesterday");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("'yesterday' is not a timestamp", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("without a zone (read as UTC)", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_shows_values_as_they_are_typed_and_how_a_time_without_a_zone_is_read()
    {
        var report = StoremonProcess.Run("report", "--help");

        Assert.Equal(0, report.ExitCode);
        Assert.Contains("<carry-forward|nearest>", report.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("Nearest", report.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("without a zone (read as UTC)", report.StandardOutput, StringComparison.Ordinal);
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
}
