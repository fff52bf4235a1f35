using System.CommandLine;
using System.CommandLine.Invocation;

namespace Storemon.Bench;

// storemon-bench: times storemon's import and report (README, Performance).
internal static class Program
{
    // As storemon's commands do: a failure is one line on standard error, 2 for a wrong command line,
    // 1 for work that failed, never a stack trace.
    public static async Task<int> Main(string[] args)
    {
        var parse = BenchCommand.Create().Parse(args);
        if (parse.Action is ParseErrorAction)
        {
            foreach (var error in parse.Errors)
            {
                await Console.Error.WriteLineAsync($"storemon-bench: {error.Message}");
            }
            return 2;
        }
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e)
        {
            await Console.Error.WriteLineAsync($"storemon-bench: {e.Message}");
            return 1;
        }
    }
}
