using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using NodaTime;
using Storemon.Engine;
using Storemon.Import;
using Storemon.Reports;

namespace Storemon.Cli.Commands;

/// <summary><c>storemon report</c>: computes the report from the database and writes its CSV.</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var db = CommonOptions.Database();
        var asOf = new Option<Instant?>("--as-of")
        {
            Description = $"The report time: {InstantForms}. Default: the latest poll in the database.",
            CustomParser = result => ParseInstant(result.Tokens[0].Value, error => result.AddError(error)),
        };
        // No default value here: help would show it as the enum spells it (Nearest), not as it is typed.
        var interpolation = new Option<Interpolation?>("--interpolation")
        {
            Description = "nearest (default): each instant takes the nearest poll's status; carry-forward: a status holds until the next poll.",
            HelpName = $"{InterpolationNames.CarryForward}|{InterpolationNames.Nearest}",
            CustomParser = result => ParseInterpolation(result.Tokens[0].Value, error => result.AddError(error)),
        };
        var maxGap = new Option<Duration?>("--max-gap")
        {
            Description = $"The staleness limit: business time farther than this from the poll that decides it is unknown (three more columns), and stores silent all week are listed too; {MaxGaps.Allowed}. Default: none.",
            CustomParser = result => ParseMaxGap(result.Tokens[0].Value, error => result.AddError(error)),
        };
        var output = new Option<FileInfo?>("--output") { Description = "The CSV file to write. Default: standard output." };

        var command = new Command("report", "Compute uptime and downtime of every store and write the report CSV.") { db, asOf, interpolation, maxGap, output };
        command.SetAction((parse, cancellationToken) =>
        {
            var file = parse.GetValue(output);
            if (file is not null)
            {
                // Before the database is read: a report whose file cannot be written is not worth computing.
                CommandFiles.RequireWritable(file.FullName, "report");
            }
            using var store = CommonOptions.OpenStore(parse.GetValue(db)!, createMissing: false);
            var request = new ReportRequest(parse.GetValue(asOf), parse.GetValue(interpolation) ?? Interpolation.Nearest, parse.GetValue(maxGap));
            var started = Stopwatch.GetTimestamp();
            ReportSummary summary;
            using (var writer = file is null
                ? new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 1 << 16)
                : CommandFiles.CreateText(file.FullName, "report"))
            {
                // Progress goes to standard error, and not while the CSV itself scrolls past on the terminal.
                summary = file is null && !Console.IsOutputRedirected
                    ? ReportRunner.Run(store, request, writer, cancellationToken: cancellationToken)
                    : TerminalProgress.Run("reporting stores", report =>
                        ReportRunner.Run(store, request, writer, new CallbackProgress<ReportProgress>(p => report(p.StoresDone, p.StoresTotal)), cancellationToken));
            }
            // What the report was computed from (its provenance), then what it cost.
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"report: {ReportProvenance.Of(request, summary)}; {Stopwatch.GetElapsedTime(started).TotalSeconds:F3} s, peak memory {PeakMemory.Megabytes():F0} MB"));
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    /// <summary>The forms <see cref="ParseInstant"/> reads, for option descriptions and errors.</summary>
    internal const string InstantForms =
        "ISO 8601 with Z or an offset (2023-01-25T18:13:22.47922Z, 2023-01-25T12:13:22-06:00), without a zone (read as UTC), or 2023-01-25 18:13:22.47922 UTC";

    internal static Instant? ParseInstant(string text, Action<string> error)
    {
        if (TimestampParser.TryParseInstant(text, out var instant))
        {
            return instant;
        }
        error($"'{text}' is not a timestamp: use {InstantForms}.");
        return null;
    }

    private static Duration? ParseMaxGap(string text, Action<string> error)
    {
        if (MaxGaps.TryParse(text, out var gap))
        {
            return gap;
        }
        error($"'{text}' is not a max gap: use {MaxGaps.Allowed}.");
        return null;
    }

    private static Interpolation ParseInterpolation(string text, Action<string> error)
    {
        if (!InterpolationNames.TryParse(text, out var interpolation))
        {
            error($"'{text}' is not an interpolation: use {InterpolationNames.Allowed}.");
        }
        return interpolation;
    }
}
