using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace Storemon.Cli.Commands;

/// <summary>
/// Shows the progress of a long step on standard error: a live bar on a terminal, and a plain line
/// every few seconds when the output is redirected (logs and CI keep readable text, not escape codes).
/// Standard output stays free for data such as the report CSV.
/// </summary>
internal static class TerminalProgress
{
    private static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Runs <paramref name="work"/>, which reports (done, total) through the callback it is given; a
    /// total of zero means unknown, and then the count itself is shown.
    /// </summary>
    public static T Run<T>(string label, Func<Action<double, double>, T> work)
    {
        if (!Console.IsErrorRedirected && !Console.IsOutputRedirected)
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            if (console.Profile.Capabilities.Interactive)
            {
                return console.Progress()
                    .AutoClear(false)
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                    .Start(context =>
                    {
                        var task = context.AddTask(label, maxValue: 1);
                        var result = work((done, total) =>
                        {
                            task.IsIndeterminate = total <= 0;
                            if (total <= 0)
                            {
                                task.Description = string.Create(CultureInfo.InvariantCulture, $"{label}: {done:N0}");
                                return;
                            }
                            task.MaxValue = total;
                            task.Value = Math.Min(done, total);
                        });
                        task.IsIndeterminate = false;
                        task.Value = task.MaxValue;
                        return result;
                    });
            }
        }

        var last = Stopwatch.GetTimestamp();
        return work((done, total) =>
        {
            if (Stopwatch.GetElapsedTime(last) < PlainInterval)
            {
                return;
            }
            last = Stopwatch.GetTimestamp();
            Console.Error.WriteLine(total > 0
                ? string.Create(CultureInfo.InvariantCulture, $"{label}: {done / total:P0}")
                : string.Create(CultureInfo.InvariantCulture, $"{label}: {done:N0}"));
        });
    }
}
