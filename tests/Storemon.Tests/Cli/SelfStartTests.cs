using System.Diagnostics;
using Storemon.Cli.Commands;

namespace Storemon.Tests.Cli;

/// <summary>
/// The benchmark starts <c>storemon report</c> as a child of itself to measure its memory alone: that
/// must work whether this program runs as its own executable (<c>dotnet run</c>, a published build)
/// or as <c>dotnet storemon.dll</c>.
/// </summary>
public sealed class SelfStartTests
{
    private static readonly string Assembly = Path.Combine(AppContext.BaseDirectory, "storemon.dll");

    [Theory]
    [InlineData("storemon")]
    [InlineData("dotnet")]
    public void The_program_starts_itself_with_the_arguments_given_through_either_host(string host)
    {
        var processPath = host == "dotnet" ? "dotnet" : Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "storemon.exe" : "storemon");

        var start = SelfStart.Info(processPath, Assembly, ["report", "--help"]);
        start.RedirectStandardOutput = true;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();

        Assert.Equal(0, process.ExitCode);
        Assert.Contains("Compute uptime and downtime of every store and write the report CSV.", output, StringComparison.Ordinal);
        Assert.Equal(host == "dotnet" ? [Assembly, "report", "--help"] : ["report", "--help"], start.ArgumentList);
    }
}
