using Storemon.Bench;

namespace Storemon.Tests.Bench;

/// <summary>The benchmark's command line: the same options as the README's figures were taken with.</summary>
public sealed class BenchCommandLineTests
{
    [Fact]
    public void The_benchmark_takes_only_a_PostgreSQL_connection_string_for_its_database()
    {
        var parse = BenchCommand.Create().Parse(["--db", "bench.db", "--hours", "h.csv", "--timezones", "z.csv"]);

        Assert.Contains(parse.Errors, error => error.Message.StartsWith("--db takes a PostgreSQL connection string", StringComparison.Ordinal));
    }

    [Fact]
    public void The_options_the_README_runs_with_parse_without_errors()
    {
        var parse = BenchCommand.Create().Parse(
            ["--hours", "h.csv", "--timezones", "z.csv", "--scale", "10", "--runs", "3", "--import-runs", "1", "--history-weeks", "0", "--work", "w",
             "--db", "Host=127.0.0.1;Port=55432;Username=postgres;Database=postgres"]);

        Assert.Empty(parse.Errors);
    }
}
