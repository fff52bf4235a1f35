using System.Diagnostics;

namespace Storemon.Tests;

/// <summary>Runs a program to its end as a child process, with what it writes captured.</summary>
internal static class ChildProcess
{
    public sealed record Result(int ExitCode, string StandardOutput, string StandardError);

    /// <summary>Runs <paramref name="program"/>; throws <see cref="TimeoutException"/> (having killed it) when it outlasts <paramref name="timeout"/>.</summary>
    public static Result Run(string program, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', start.ArgumentList)} did not finish in {timeout.TotalSeconds:0} s.");
        }
        return new Result(process.ExitCode, output.Result, error.Result);
    }
}
