using System.Diagnostics;

namespace Storemon.Tests.Cli;

/// <summary>Runs the real <c>storemon</c> program (the CLI's build output, copied beside the tests) as a child process.</summary>
internal static class StoremonProcess
{
    public sealed record Result(int ExitCode, string StandardOutput, string StandardError);

    public static Result Run(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "storemon.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"storemon {string.Join(' ', arguments)} did not finish in two minutes.");
        }
        return new Result(process.ExitCode, output.Result, error.Result);
    }
}
