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
            ["--hours", SharedData.PathOf("v1_menu_hours.csv"), "--timezones", SharedData.PathOf("v1_timezones.csv"), "--scale", "10", "--runs", "3", "--import-runs", "1", "--history-weeks", "0", "--work", "w",
             "--db", "Host=127.0.0.1;Port=55432;Username=postgres;Database=postgres"]);

        Assert.Empty(parse.Errors);
    }

    // As storemon's own commands: one line naming the file, a usage error, no stack trace, nothing generated.
    [Fact]
    public void A_missing_input_file_is_one_line_naming_it_and_exit_code_2()
    {
        var run = ChildProcess.Run("dotnet",
            [Path.Combine(AppContext.BaseDirectory, "storemon-bench.dll"), "--hours", "/nope/hours.csv", "--timezones", SharedData.PathOf("v1_timezones.csv")],
            TimeSpan.FromMinutes(1));

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("storemon-bench: File does not exist: '/nope/hours.csv'.", run.StandardError.Trim());
        Assert.Equal("", run.StandardOutput);
    }
}
