using System.Diagnostics;
using System.Globalization;

namespace Storemon.Bench;

/// <summary>
/// Runs the real <c>storemon</c> command line, whose build lands beside the benchmark's, as a child
/// process, started the way the benchmark itself was: as its own executable (the apphost that
/// <c>dotnet run</c> and a published build start), which takes the arguments alone, or through the
/// <c>dotnet</c> host with <c>storemon.dll</c> before them, since that host found a runtime where the
/// apphost might not.
/// </summary>
internal static class StoremonChild
{
    public static ProcessStartInfo Info(string hostPath, string directory, IEnumerable<string> arguments)
    {
        var underDotnet = string.Equals(Path.GetFileNameWithoutExtension(hostPath), "dotnet", StringComparison.OrdinalIgnoreCase);
        var program = underDotnet ? hostPath : Path.Combine(directory, OperatingSystem.IsWindows() ? "storemon.exe" : "storemon");
        var start = new ProcessStartInfo(program) { UseShellExecute = false };
        if (underDotnet)
        {
            start.ArgumentList.Add(Path.Combine(directory, "storemon.dll"));
        }
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        return start;
    }

    /// <summary>
    /// Runs <c>storemon</c> with <paramref name="arguments"/> and waits for it: what it wrote to
    /// standard error, and its time from start to exit. Throws, with all it wrote, when it fails.
    /// </summary>
    public static (string Errors, double Seconds) Run(params string[] arguments)
    {
        var start = Info(Environment.ProcessPath!, AppContext.BaseDirectory, arguments);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        var started = Stopwatch.GetTimestamp();
        using var process = Process.Start(start)!;
        var printed = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"storemon {arguments[0]} exited with {process.ExitCode}: {printed.Result}{errors}");
        }
        return (errors, seconds);
    }
}

/// <summary>
/// The peak memory of a report measured alone: the benchmark has generated and imported data, so its
/// own peak says little. A child <c>storemon report</c> over the same database prints its own peak
/// resident memory and time in its summary line.
/// </summary>
internal static partial class PeakMemory
{
    public static (double Seconds, double Megabytes) OfReportProcess(string database, string reportFile)
    {
        var summary = StoremonChild.Run("report", "--db", database, "--output", reportFile).Errors;
        var figures = SummaryFigures().Match(summary);
        if (!figures.Success)
        {
            throw new InvalidOperationException($"storemon report printed no summary line: {summary}");
        }
        return (double.Parse(figures.Groups["seconds"].Value, CultureInfo.InvariantCulture), double.Parse(figures.Groups["megabytes"].Value, CultureInfo.InvariantCulture));
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"(?<seconds>[\d.]+) s, peak memory (?<megabytes>\d+) MB")]
    private static partial System.Text.RegularExpressions.Regex SummaryFigures();
}
