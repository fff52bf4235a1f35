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
    private static readonly TimeSpan SampleInterval = TimeSpan.FromMilliseconds(10);

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
    /// Runs <c>storemon</c> with <paramref name="arguments"/> and waits for it: its time from start to
    /// exit, measured here, and its peak resident memory. Throws, with all it wrote, when it fails.
    /// </summary>
    public static ChildRun Run(params string[] arguments)
    {
        var start = Info(Environment.ProcessPath!, AppContext.BaseDirectory, arguments);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        var started = Stopwatch.GetTimestamp();
        using var process = Process.Start(start)!;
        var printed = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        // Sampled, not taken at exit (the child is gone by then): VmHWM is the kernel's own high-water
        // mark of the child's resident memory, so the samples miss only what it adds after the last one.
        long peakBytes = 0;
        do
        {
            peakBytes = Math.Max(peakBytes, PeakResidentBytes(process.Id));
        }
        while (!process.WaitForExit(SampleInterval));
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        Task.WaitAll(printed, errors);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"storemon {arguments[0]} exited with {process.ExitCode}: {printed.Result}{errors.Result}");
        }
        return new ChildRun(seconds, peakBytes / 1048576.0);
    }

    // 0 where there is no /proc (the figure is Linux's), or once the child has exited: an exited
    // child's status has no memory lines, and a reaped one has no status at all.
    private static long PeakResidentBytes(int processId)
    {
        try
        {
            var line = File.ReadLines($"/proc/{processId}/status").FirstOrDefault(entry => entry.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    }
}

/// <summary>A <c>storemon</c> child's time from start to exit, and its peak resident memory.</summary>
internal sealed record ChildRun(double Seconds, double PeakMegabytes);
