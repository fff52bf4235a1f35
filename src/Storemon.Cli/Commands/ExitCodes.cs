using System.CommandLine;
using System.CommandLine.Invocation;
using System.Text.RegularExpressions;
using Storemon.Import;

namespace Storemon.Cli.Commands;

/// <summary>
/// The one exit-code convention of every command, and the one place where a failure becomes a line on
/// standard error: <c>storemon &lt;command&gt;: &lt;what is wrong&gt;</c>, never a stack trace.
/// </summary>
internal static partial class ExitCodes
{
    public const int Success = 0;

    /// <summary>The work failed: a file or database that cannot be used, a file refused, a lost connection.</summary>
    public const int Failed = 1;

    /// <summary>The command line is wrong: an unknown option, a missing or malformed value.</summary>
    public const int Usage = 2;

    /// <summary>Set to 1, an unexpected failure also prints its full details (the exception and where it came from).</summary>
    public const string DebugVariable = "STOREMON_DEBUG";

    public const string Convention =
        "Exit codes: 0 success; 1 the work failed (a file or database that cannot be used, a file refused, "
        + "a failed connection); 2 the command line is wrong (an unknown option, a missing or malformed value). "
        + $"Each error is one line on standard error; {DebugVariable}=1 adds the details of an unexpected one.";

    /// <summary>Parses <paramref name="args"/>, runs the command they name and returns its exit code, whatever happens.</summary>
    public static async Task<int> InvokeAsync(RootCommand root, string[] args)
    {
        var parse = root.Parse(args);
        var command = parse.CommandResult.Command;
        // --help and --version win over errors (help for a command whose required option is missing
        // still shows); any other parse error is a usage error.
        if (parse.Action is ParseErrorAction)
        {
            foreach (var error in parse.Errors)
            {
                WriteError(command, error.Message);
            }
            return Usage;
        }
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (CommandFailedException e)
        {
            WriteError(command, e.Message);
            return e.ExitCode;
        }
        catch (Exception e) when (e is ImportRejectedException or InvalidDataException)
        {
            // Refusals of an input file: their messages already name the file and the reason.
            WriteError(command, e.Message);
            return Failed;
        }
        catch (Exception e)
        {
            var inner = Innermost(e);
            WriteError(command, inner is OperationCanceledException ? "cancelled." : PlainMessage(inner));
            if (Environment.GetEnvironmentVariable(DebugVariable) == "1")
            {
                Console.Error.WriteLine(e.ToString());
            }
            return Failed;
        }
    }

    /// <summary>Writes <paramref name="message"/> as one line on standard error, after the program and command it is about.</summary>
    public static void WriteError(Command command, string message)
    {
        var name = command is RootCommand ? "storemon" : $"storemon {command.Name}";
        Console.Error.WriteLine($"{name}: {LineBreaks().Replace(message.Trim(), " ")}");
    }

    /// <summary>An exception's message without the name of the .NET parameter that <see cref="ArgumentException"/> appends.</summary>
    public static string PlainMessage(Exception e) =>
        e is ArgumentException { ParamName: { } name } && e.Message.EndsWith($" (Parameter '{name}')", StringComparison.Ordinal)
            ? e.Message[..^$" (Parameter '{name}')".Length]
            : e.Message;

    // A failure on the report's second thread arrives wrapped; the wrapper says nothing the user needs.
    private static Exception Innermost(Exception e) =>
        e is AggregateException { InnerExceptions.Count: 1 } aggregate ? Innermost(aggregate.InnerExceptions[0]) : e;

    [GeneratedRegex(@"\s*[\r\n]+\s*")]
    private static partial Regex LineBreaks();
}
