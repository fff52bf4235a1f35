using System.CommandLine;
using Storemon.Import;
using Storemon.Storage;

namespace Storemon.Cli.Commands;

/// <summary><c>storemon import</c>: imports any of the three CSV kinds, each file in one transaction.</summary>
internal static class ImportCommand
{
    public static Command Create()
    {
        var db = CommonOptions.Database();
        var status = new Option<FileInfo?>("--status") { Description = "A status-poll file: store_id, status, timestamp_utc." };
        var hours = new Option<FileInfo?>("--hours") { Description = "A business-hours file: store_id, dayOfWeek (or day), start_time_local, end_time_local." };
        var zones = new Option<FileInfo?>("--timezones") { Description = "A time-zone file: store_id, timezone_str." };
        // No default value here: help would show it as a TimeSpan (1.00:00:00), not as it is typed.
        var maxFutureSkew = new Option<TimeSpan?>("--max-future-skew")
        {
            Description = "Polls later than this after this machine's clock are rejected as in the future; an ISO 8601 duration from PT0S to P3650D. Default: PT24H.",
            HelpName = "duration",
            CustomParser = result => ParseSkew(result.Tokens[0].Value, error => result.AddError(error)),
        };

        var command = new Command("import", "Import status polls, business hours and time zones from CSV files.") { db, status, hours, zones, maxFutureSkew };
        command.Validators.Add(result =>
        {
            if (result.GetValue(status) is null && result.GetValue(hours) is null && result.GetValue(zones) is null)
            {
                result.AddError("Give at least one of --status, --hours, --timezones.");
            }
        });
        command.SetAction((parse, cancellationToken) =>
        {
            using var store = CommonOptions.OpenStore(parse.GetValue(db)!, createMissing: true);
            // Hours and zones first: they are small, and a report run between the files then sees complete stores.
            var files = new (ImportKind Kind, string What, FileInfo? File)[]
            {
                (ImportKind.BusinessHours, "business-hours file", parse.GetValue(hours)),
                (ImportKind.TimeZones, "time-zone file", parse.GetValue(zones)),
                (ImportKind.Status, "status file", parse.GetValue(status)),
            };
            var skew = parse.GetValue(maxFutureSkew) ?? ImportRules.DefaultMaxFutureSkew;
            var exitCode = ExitCodes.Success;
            foreach (var (kind, what, file) in files)
            {
                if (file is null)
                {
                    continue;
                }
                try
                {
                    CommandFiles.RequireReadable(file.FullName, what);
                    // The clock is read as each file starts, as the service reads it for each upload.
                    var rules = ImportRules.At(TimeProvider.System.GetUtcNow(), skew);
                    var summary = TerminalProgress.Run($"importing {file.Name}", report =>
                        CsvImporter.Import(kind, store, file.FullName, rules, new CallbackProgress<ImportProgress>(p => report(p.BytesRead, p.TotalBytes ?? 0)), cancellationToken));
                    Console.Out.WriteLine(summary.ToString());
                }
                catch (Exception e) when (DiskFull.OfDatabase(e))
                {
                    ExitCodes.WriteError(command, $"the disk of the database is full: nothing of {file.FullName} was imported (free space and import it again).");
                    exitCode = ExitCodes.Failed;
                }
                catch (Exception e) when (e is ImportRejectedException or CommandFailedException or IOException)
                {
                    // The file changed nothing; the other files are still imported.
                    ExitCodes.WriteError(command, e.Message);
                    exitCode = ExitCodes.Failed;
                }
            }
            return Task.FromResult(exitCode);
        });
        return command;
    }

    private static TimeSpan? ParseSkew(string text, Action<string> error)
    {
        if (IsoDurations.TryParse(text, out var duration)
            && duration.ToTimeSpan() is var skew && skew >= TimeSpan.Zero && skew <= ImportRules.LongestMaxFutureSkew)
        {
            return skew;
        }
        error($"--max-future-skew \"{text}\" is not an ISO 8601 duration from PT0S to P3650D, such as PT24H.");
        return null;
    }
}
