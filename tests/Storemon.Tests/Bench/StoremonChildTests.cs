using System.Diagnostics;
using Storemon.Bench;

namespace Storemon.Tests.Bench;

/// <summary>
/// The benchmark starts the <c>storemon</c> CLI built beside it as a child process: that must work
/// whether the benchmark runs as its own executable (<c>dotnet run</c>, a published build) or as
/// <c>dotnet storemon-bench.dll</c>.
/// </summary>
public sealed class StoremonChildTests
{
    private static readonly string Directory = AppContext.BaseDirectory;

    [Theory]
    [InlineData("storemon-bench")]
    [InlineData("dotnet")]
    public void Storemon_starts_with_the_arguments_given_whichever_way_the_benchmark_was_started(string host)
    {
        var hostPath = host == "dotnet" ? "dotnet" : Path.Combine(Directory, OperatingSystem.IsWindows() ? "storemon-bench.exe" : "storemon-bench");

        var start = StoremonChild.Info(hostPath, Directory, ["report", "--help"]);
        start.RedirectStandardOutput = true;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();

        Assert.Equal(0, process.ExitCode);
        Assert.Contains("Compute uptime and downtime of every store and write the report CSV.", output, StringComparison.Ordinal);
        var storemon = Path.Combine(Directory, "storemon.dll");
        Assert.Equal(host == "dotnet" ? [storemon, "report", "--help"] : ["report", "--help"], start.ArgumentList);
    }
}
