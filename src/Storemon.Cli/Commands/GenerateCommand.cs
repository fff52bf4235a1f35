using System.CommandLine;
using System.Globalization;
using NodaTime;
using Storemon.Generate;

namespace Storemon.Cli.Commands;

/// <summary><c>storemon generate</c>: writes a realistic synthetic data set as the three CSV files.</summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "The directory to write store_status.csv, menu_hours.csv and timezones.csv to.", Required = true };
        var stores = new Option<int>("--stores") { Description = "How many stores to make up (ignored with --hours/--timezones).", DefaultValueFactory = _ => 1_000 };
        var days = new Option<double>("--days") { Description = "How many days of polls, ending at --end.", DefaultValueFactory = _ => GeneratorOptions.DefaultSpan.TotalDays };
        var end = new Option<Instant?>("--end")
        {
            Description = $"The latest poll: {ReportCommand.InstantForms}. Default: 2023-01-25T18:13:22.47922Z, the end of the public 2023 data.",
            CustomParser = result => ReportCommand.ParseInstant(result.Tokens[0].Value, error => result.AddError(error)),
        };
        var seed = new Option<int>("--seed") { Description = "The seed: the same options and seed give byte-identical files.", DefaultValueFactory = _ => 1 };
        var hours = new Option<FileInfo?>("--hours") { Description = "Use the stores of this business-hours file (needs --timezones)." };
        var zones = new Option<FileInfo?>("--timezones") { Description = "Use the stores of this time-zone file (needs --hours)." };
        var scale = new Option<int>("--scale") { Description = "Copies of the store set: 10 makes the ten-times data set.", DefaultValueFactory = _ => 1 };

        var command = new Command("generate", "Write synthetic status, business-hours and time-zone CSV files.") { output, stores, days, end, seed, hours, zones, scale };
        command.Validators.Add(result =>
        {
            // Either file alone would make a data set whose stores all lack hours (open 24x7) or a zone (in
            // America/Chicago), silently: far more often a forgotten option than the intent.
            if ((result.GetValue(hours) is null) != (result.GetValue(zones) is null))
            {
                result.AddError("--hours and --timezones go together: the stores are those of both files; give both.");
            }
        });
        command.SetAction((parse, cancellationToken) =>
        {
            var options = new GeneratorOptions
            {
                OutputDirectory = parse.GetValue(output)!,
                Stores = parse.GetValue(stores),
                Span = TimeSpan.FromDays(parse.GetValue(days)),
                End = parse.GetValue(end) ?? GeneratorOptions.DefaultEnd,
                Seed = parse.GetValue(seed),
                HoursFile = parse.GetValue(hours)?.FullName,
                TimeZonesFile = parse.GetValue(zones)?.FullName,
                ScaleFactor = parse.GetValue(scale),
            };
            if (options.HoursFile is { } hoursFile)
            {
                CommandFiles.RequireReadable(hoursFile, "business-hours file");
            }
            if (options.TimeZonesFile is { } zonesFile)
            {
                CommandFiles.RequireReadable(zonesFile, "time-zone file");
            }
            try
            {
                options.Validate();
            }
            catch (ArgumentException e)
            {
                // The files are there (checked above), so what is left is a value out of range: a usage error.
                throw new CommandFailedException(ExitCodes.PlainMessage(e), ExitCodes.Usage);
            }
            CommandFiles.CreateFolder(options.OutputDirectory, "data set");
            var summary = TerminalProgress.Run("writing polls", report =>
                DataGenerator.Generate(options, new CallbackProgress<GenerationProgress>(p => report(p.Covered.TotalSeconds, p.Span.TotalSeconds)), cancellationToken));
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"generate: {summary.Stores} stores, {summary.Polls} polls, {summary.HoursRows} hours rows, {summary.TimeZoneRows} time-zone rows"));
            foreach (var file in summary.Files)
            {
                Console.Error.WriteLine($"  {file}");
            }
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }
}
