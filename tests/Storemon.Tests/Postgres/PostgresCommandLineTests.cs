using Npgsql;
using Storemon.Tests.Cli;
using Storemon.Tests.Databases;

namespace Storemon.Tests.Postgres;

/// <summary>The command line's --db takes a PostgreSQL connection string, in keyword or URI form, wherever it takes a SQLite path.</summary>
public sealed class PostgresCommandLineTests() : DatabaseTest(DatabaseKind.Postgres)
{
    [SkippableFact]
    public void Import_and_report_on_PostgreSQL_write_the_csv_that_SQLite_writes()
    {
        var keywords = new NpgsqlConnectionStringBuilder(Db.Connection);
        var password = keywords.Password is { Length: > 0 } secret ? ":" + Uri.EscapeDataString(secret) : "";
        var uri = $"postgresql://{Uri.EscapeDataString(keywords.Username ?? "postgres")}{password}@{keywords.Host}:{keywords.Port}/{keywords.Database}";
        string[] files =
        [
            "--hours", SharedData.PathOf("v2_menu_hours.csv"),
            "--timezones", SharedData.PathOf("v2_timezones.csv"),
            "--status", SharedData.PathOf("v2_store_status_sample.csv"),
        ];
        var sqlite = Db.PathOf("v2.db");

        var import = StoremonProcess.Run(["import", "--db", uri, .. files]);
        Assert.Equal(0, import.ExitCode);
        Assert.Contains("v2_store_status_sample.csv (status polls): 1,000 rows read, 1,000 imported, 0 rejected", import.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(0, StoremonProcess.Run(["import", "--db", sqlite, .. files]).ExitCode);

        foreach (var interpolation in new[] { "nearest", "carry-forward" })
        {
            var onPostgres = StoremonProcess.Run("report", "--db", Db.Connection, "--interpolation", interpolation);
            var onSqlite = StoremonProcess.Run("report", "--db", sqlite, "--interpolation", interpolation);
            Assert.Equal(0, onPostgres.ExitCode);
            Assert.Contains($"(latest poll), {interpolation}, max_gap none, tzdb ", onPostgres.StandardError, StringComparison.Ordinal);
            Assert.Contains(", 798 stores, ", onPostgres.StandardError, StringComparison.Ordinal);
            Assert.Equal(onSqlite.StandardOutput, onPostgres.StandardOutput);
            // The same provenance on both databases, up to the time each took (a slow run prints progress lines before it).
            Assert.Equal(Provenance(onSqlite.StandardError), Provenance(onPostgres.StandardError));
        }
    }

    private static string Provenance(string standardError)
    {
        var summary = standardError.Split('\n').Single(line => line.StartsWith("report: ", StringComparison.Ordinal));
        return summary[..summary.IndexOf(';', StringComparison.Ordinal)];
    }
}
