using Microsoft.Data.Sqlite;
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
