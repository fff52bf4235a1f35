using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Storemon.Generate;
using Storemon.Import;
using Storemon.Reports;
using Storemon.Storage;
using Storemon.Storage.Postgres;

namespace Storemon.Bench;

/// <summary>
/// <c>storemon-bench</c>: generates data at the public task's size (or a multiple), imports it, and
/// times the report against a bare read of the same poll rows from the same database, in the same
/// process, so that the ratio holds on a noisy machine. Prints medians.
/// </summary>
internal static class BenchCommand
{
    public static RootCommand Create()
    {
        var hours = new Option<FileInfo>("--hours") { Description = "The business-hours file whose stores the data set uses (the public v1_menu_hours.csv).", Required = true };
        var zones = new Option<FileInfo>("--timezones") { Description = "The time-zone file whose stores the data set uses (the public v1_timezones.csv).", Required = true };
        // A missing file is a wrong command line, said before anything is generated.
        hours.AcceptExistingOnly();
        zones.AcceptExistingOnly();
        var scale = new Option<int>("--scale") { Description = "Copies of the store set: 1 is the public size (~2M polls), 10 the ten-times case.", DefaultValueFactory = _ => 1 };
        var runs = new Option<int>("--runs") { Description = "Timed report runs (and bare reads); medians are printed.", DefaultValueFactory = _ => 5 };
        var importRuns = new Option<int>("--import-runs") { Description = "Timed imports of the status file into fresh databases (scale 1 only).", DefaultValueFactory = _ => 3 };
        var historyWeeks = new Option<int>("--history-weeks") { Description = "Also time the report on a database holding this many weeks of polls, against one week (0: skip).", DefaultValueFactory = _ => 4 };
        var work = new Option<DirectoryInfo?>("--work") { Description = "Where to put the generated files and databases (default: a new temporary directory, removed afterwards)." };
        var server = new Option<string?>("--db")
        {
            Description = "A PostgreSQL connection string: benchmark PostgreSQL instead of SQLite, in scratch databases (storemon_bench_*) that are created on that server through this connection and dropped afterwards.",
        };
        server.Validators.Add(result =>
        {
            if (result.GetValue(server) is { } value && !MonitoringStores.IsPostgres(value))
            {
                result.AddError("--db takes a PostgreSQL connection string (Host=…, or postgresql://…); without it the benchmark runs on SQLite files.");
            }
        });

        var command = new RootCommand("storemon-bench: benchmark storemon's import and report at the public data size and print the figures.") { hours, zones, scale, runs, importRuns, historyWeeks, work, server };
        command.SetAction((parse, cancellationToken) =>
        {
            var options = new BenchOptions(
                parse.GetValue(hours)!, parse.GetValue(zones)!, parse.GetValue(scale), Math.Max(1, parse.GetValue(runs)),
                Math.Max(1, parse.GetValue(importRuns)), parse.GetValue(historyWeeks), parse.GetValue(work), parse.GetValue(server));
            return Task.FromResult(Benchmark.Run(options, Console.Out, cancellationToken));
        });
        return command;
    }
}

internal sealed record BenchOptions(
    FileInfo Hours, FileInfo TimeZones, int Scale, int Runs, int ImportRuns, int HistoryWeeks, DirectoryInfo? Work, string? Server = null);

internal static class Benchmark
{
    public static int Run(BenchOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        var ownsWork = options.Work is null;
        var work = options.Work?.FullName ?? Path.Combine(Path.GetTempPath(), "storemon-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(work);
        using var databases = BenchDatabases.For(options.Server, work);
        try
        {
            output.WriteLine(Line($"storemon-bench: {databases.Kind}, scale {options.Scale}, {options.Runs} report runs, {Environment.ProcessorCount} cores, .NET {Environment.Version}"));
            var week = Generator(options, work, TimeSpan.FromDays(7.75));
            var data = SyntheticDataSet.Create(week, cancellationToken);
            output.WriteLine(Line($"stores: {data.StoreIds.Count:N0} from {options.Hours.Name} and {options.TimeZones.Name} (×{options.Scale}), polls from {data.Start} to {data.End}"));

            var database = options.Scale == 1
                ? TimeCsvImports(week, data, databases, options.ImportRuns, output, cancellationToken)
                : WriteDirect(data, work, databases, output, cancellationToken);

            TimeReports(database, Path.Combine(work, "week.report.csv"), options.Runs, output, cancellationToken);
            CompareMaxGap(database, Path.Combine(work, "week.report.csv"), options.Runs, output, cancellationToken);
            TimeTimelines(database, Path.Combine(work, "week.report.csv"), options.Runs, output, cancellationToken);

            if (options.HistoryWeeks > 1)
            {
                // Both databases get their last eight days the way the service gets polls, an hour per
                // write, so that the pages a report reads are laid out alike; older history is bulk-loaded.
                var oneWeek = IngestHourly(data, work, databases, "ingested_week", output, cancellationToken);
                var history = SyntheticDataSet.Create(Generator(options, work, TimeSpan.FromDays(7.0 * options.HistoryWeeks + 0.75)), cancellationToken);
                var historyDatabase = IngestHourly(history, work, databases, "ingested_history", output, cancellationToken);
                CompareHistory(oneWeek, historyDatabase, Path.Combine(work, "ingested.report.csv"), options.HistoryWeeks, options.Runs, output, cancellationToken);
            }
            return 0;
        }
        finally
        {
            if (ownsWork)
            {
                Directory.Delete(work, recursive: true);
            }
        }
    }

    private static GeneratorOptions Generator(BenchOptions options, string work, TimeSpan span) => new()
    {
        OutputDirectory = work,
        HoursFile = options.Hours.FullName,
        TimeZonesFile = options.TimeZones.FullName,
        ScaleFactor = options.Scale,
        Span = span,
    };

    // The SPEC's import target is for the status CSV file itself: generate it, then import it into
    // fresh databases that already hold the hours and zones, and time only the status import. The
    // generator writes polls in time order, as a poller appends them; the public file's rows are in no
    // order, so the same rows shuffled are timed too, the two files taking turns.
    private static string TimeCsvImports(
        GeneratorOptions generator, SyntheticDataSet data, BenchDatabases databases, int runs, TextWriter output, CancellationToken cancellationToken)
    {
        var files = DataGenerator.Generate(generator, cancellationToken: cancellationToken);
        var statusFile = files.Files[0];
        var work = Path.GetDirectoryName(statusFile)!;
        var shuffledFile = Path.Combine(work, "store_status.shuffled.csv");
        WriteShuffled(statusFile, shuffledFile);
        // Millions of lines were just garbage: gone before anything is timed.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        var database = "";
        var inOrder = new List<double>();
        var shuffled = new List<double>();
        ImportSummary? summary = null;
        for (var run = 0; run < runs; run++)
        {
            database = databases.Fresh("week");
            summary = TimeImport(database, statusFile, inOrder);
            TimeImport(databases.Fresh("shuffled"), shuffledFile, shuffled);
        }
        databases.Drop("shuffled");
        output.WriteLine(Line($"import of {Path.GetFileName(statusFile)} ({summary!.Imported:N0} rows, {new FileInfo(statusFile).Length / 1e6:F0} MB), in time order: median {Median(inOrder):F2} s of {runs} [{Runs(inOrder)}], {summary.Imported / Median(inOrder) / 1e6:F2} M rows/s"));
        output.WriteLine(Line($"  the same rows in no order, as the public file's are: median {Median(shuffled):F2} s of {runs} [{Runs(shuffled)}]"));
        var alone = databases.Fresh("import");
        PrepareStore(alone, data, work, cancellationToken).Dispose();
        output.WriteLine(Line($"  the file in time order as its own process (storemon import, start to exit): {OwnProcessImport(alone, statusFile):F2} s"));
        // Gone at once: its freshly loaded polls would draw autovacuum onto the cores while reports are timed.
        databases.Drop("import");
        AfterLoad(database, output);
        return database;

        ImportSummary TimeImport(string into, string file, List<double> seconds)
        {
            using var store = PrepareStore(into, data, work, cancellationToken);
            var started = Stopwatch.GetTimestamp();
            var imported = CsvImporter.ImportStatus(store, file, cancellationToken: cancellationToken);
            seconds.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
            return imported;
        }
    }

    // The data rows of a CSV file in an order of their own (the same every time), under its header.
    private static void WriteShuffled(string source, string target)
    {
        var lines = File.ReadAllLines(source);
        var rows = lines.AsSpan(1);
        new Random(20230125).Shuffle(rows);
        File.WriteAllLines(target, lines);
    }

    // A one-off `storemon import` pays what the runs above share after the first: the process's start,
    // the compiling of its code, and memory touched for the first time.
    private static double OwnProcessImport(string database, string statusFile) =>
        StoremonChild.Run("import", "--db", database, "--status", statusFile).Seconds;

    // Past the public size the CSV file itself is not the point (20M rows are 1.2 GB): polls go from
    // the generator to the store's bulk write directly.
    private static string WriteDirect(SyntheticDataSet data, string work, BenchDatabases databases, TextWriter output, CancellationToken cancellationToken)
    {
        var database = databases.Fresh("week");
        using var store = PrepareStore(database, data, work, cancellationToken);
        var started = Stopwatch.GetTimestamp();
        var written = store.WritePolls(data.Polls(cancellationToken), cancellationToken);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        output.WriteLine(Line($"wrote {written:N0} polls into the week database in {elapsed:F1} s ({written / elapsed / 1e6:F2} M rows/s, generation included)"));
        AfterLoad(database, output);
        return database;
    }

    // PostgreSQL's autovacuum visits freshly loaded tables within a minute or so; the reports are timed
    // as they run from then on, not in the minute after a bulk load, so the benchmark vacuums at once
    // (and says how long that took). SQLite has nothing of the kind.
    private static void AfterLoad(string database, TextWriter output)
    {
        using var store = OpenStore(database);
        if (store is PostgresMonitoringStore postgres)
        {
            var started = Stopwatch.GetTimestamp();
            postgres.VacuumAnalyze();
            output.WriteLine(Line($"  VACUUM (ANALYZE) after the load, as autovacuum does: {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s"));
        }
    }

    private static IStoremonDatabase OpenStore(string database)
    {
        var store = MonitoringStores.Open(database);
        store.Migrate();
        return store;
    }

    private static IStoremonDatabase PrepareStore(string database, SyntheticDataSet data, string work, CancellationToken cancellationToken)
    {
        var store = OpenStore(database);
        var hoursFile = Path.Combine(work, "bench_hours.csv");
        var zonesFile = Path.Combine(work, "bench_timezones.csv");
        WriteText(hoursFile, writer => data.WriteHours(writer, cancellationToken));
        WriteText(zonesFile, writer => data.WriteTimeZones(writer, cancellationToken));
        CsvImporter.ImportBusinessHours(store, hoursFile, cancellationToken: cancellationToken);
        CsvImporter.ImportTimeZones(store, zonesFile, cancellationToken: cancellationToken);
        return store;
    }

    private static string IngestHourly(SyntheticDataSet data, string work, BenchDatabases databases, string name, TextWriter output, CancellationToken cancellationToken)
    {
        var database = databases.Fresh(name);
        using var store = PrepareStore(database, data, work, cancellationToken);
        var started = Stopwatch.GetTimestamp();
        var hourlyFrom = (data.End - NodaTime.Duration.FromDays(8)).ToUnixTimeTicks() / Engine.Poll.TicksPerMicrosecond;
        var polls = data.Polls(cancellationToken);
        long written = store.WritePolls(polls.TakeWhile(poll => poll.UnixMicroseconds < hourlyFrom), cancellationToken), batches = 1;
        foreach (var hour in Hours(polls.SkipWhile(poll => poll.UnixMicroseconds < hourlyFrom)))
        {
            written += store.WritePolls(hour, cancellationToken);
            batches++;
        }
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        output.WriteLine(Line($"ingested {written:N0} polls into {name}, the last 8 days an hour at a time ({batches:N0} writes), in {elapsed:F1} s"));
        AfterLoad(database, output);
        return database;
    }

    private static IEnumerable<List<PollRow>> Hours(IEnumerable<PollRow> polls)
    {
        const long hour = 3_600_000_000;
        var batch = new List<PollRow>();
        var batchHour = long.MinValue;
        foreach (var poll in polls)
        {
            var pollHour = poll.UnixMicroseconds / hour;
            if (pollHour != batchHour && batch.Count > 0)
            {
                yield return batch;
                batch = [];
            }
            batchHour = pollHour;
            batch.Add(poll);
        }
        if (batch.Count > 0)
        {
            yield return batch;
        }
    }

    private static void TimeReports(string database, string reportFile, int runs, TextWriter output, CancellationToken cancellationToken)
    {
        using var store = OpenStore(database);
        var reports = new List<double>();
        var reads = new List<double>();
        var ratios = new List<double>();
        ReportSummary? summary = null;
        long rows = 0;

        summary = WriteReport(store, reportFile, cancellationToken); // warm-up: JIT and page cache
        for (var run = 0; run < runs; run++)
        {
            // Alternate the order so that neither side always runs on the other's warm cache.
            double read = 0, report = 0;
            for (var step = 0; step < 2; step++)
            {
                var started = Stopwatch.GetTimestamp();
                if ((step == 0) == (run % 2 == 0))
                {
                    rows = BareRead(store, cancellationToken);
                    read = Stopwatch.GetElapsedTime(started).TotalSeconds;
                }
                else
                {
                    summary = WriteReport(store, reportFile, cancellationToken);
                    report = Stopwatch.GetElapsedTime(started).TotalSeconds;
                }
            }
            reads.Add(read);
            reports.Add(report);
            ratios.Add(report / read);
        }
        output.WriteLine(Line($"report: {summary.Stores:N0} stores, {summary.PollRows:N0} poll rows: median {Median(reports):F3} s of {runs} [{Runs(reports)}]"));
        output.WriteLine(Line($"bare read of the same {rows:N0} rows: median {Median(reads):F3} s [{Runs(reads)}]"));
        output.WriteLine(Line($"report / bare read: {Median(reports) / Median(reads):F2} (median of per-run ratios {Median(ratios):F2})"));
        // The benchmark's own peak says little of a report's (it has generated and imported data): the
        // report's memory is that of a storemon report process over the same database.
        var alone = StoremonChild.Run("report", "--db", database, "--output", reportFile);
        output.WriteLine(Line($"the same report as its own process (storemon report, start to exit): {alone.Seconds:F3} s, peak resident memory {alone.PeakMegabytes:F0} MB (sampled)"));
    }

    // The polls of the report's week through the report's own read path, thrown away as they come:
    // what the report costs beyond this is its computing and writing.
    private static long BareRead(IMonitoringStore store, CancellationToken cancellationToken)
    {
        using var snapshot = store.OpenSnapshot();
        var window = new Engine.ReportWindow(snapshot.LatestPoll()!.Value);
        long rows = 0;
        snapshot.ReadPolls(window.WeekStart, window.AsOf, StoreRange.All, silentStores: false, (_, polls) => { rows += polls.Length; }, cancellationToken);
        return rows;
    }

    private static void CompareHistory(string weekDatabase, string historyDatabase, string reportFile, int weeks, int runs, TextWriter output, CancellationToken cancellationToken)
    {
        using var week = OpenStore(weekDatabase);
        using var history = OpenStore(historyDatabase);
        var (weekSeconds, weekSummary, historySeconds, historySummary) = Alternately(runs,
            () => WriteReport(week, reportFile, cancellationToken), () => WriteReport(history, reportFile, cancellationToken));
        output.WriteLine(Line($"report with {weeks} weeks stored: median {Median(historySeconds):F3} s ({historySummary.PollRows:N0} rows read) vs one week {Median(weekSeconds):F3} s ({weekSummary.PollRows:N0} rows): ratio {Median(historySeconds) / Median(weekSeconds):F2}"));
    }

    // A staleness limit adds the unknown columns and the stores silent all week; it must cost about nothing more.
    private static void CompareMaxGap(string database, string reportFile, int runs, TextWriter output, CancellationToken cancellationToken)
    {
        using var store = OpenStore(database);
        var limited = new ReportRequest(MaxGap: NodaTime.Duration.FromHours(2));
        var (plainSeconds, plain, limitedSeconds, withGap) = Alternately(runs,
            () => WriteReport(store, reportFile, cancellationToken), () => WriteReport(store, reportFile, cancellationToken, limited));
        output.WriteLine(Line($"report with max_gap PT2H: median {Median(limitedSeconds):F3} s ({withGap.Stores:N0} stores, {withGap.PollRows:N0} rows) vs without {Median(plainSeconds):F3} s ({plain.Stores:N0} stores): ratio {Median(limitedSeconds) / Median(plainSeconds):F2}"));
    }

    // What GET /reports/{id}/stores/{store_id}/timeline does for one store, in process: the report's record,
    // the store's row in its stored CSV (read up to the row), and the store recomputed from a snapshot (its
    // hours, zone and polls through the report's read, the engine's walk). Timed on stores spread over the
    // CSV's order, since a later row is found after reading more of the CSV; every recomputed row must be
    // the report's.
    private static void TimeTimelines(string database, string reportFile, int runs, TextWriter output, CancellationToken cancellationToken)
    {
        const int Sample = 41;
        using var store = OpenStore(database);
        var summary = WriteReport(store, reportFile, cancellationToken);
        var now = summary.AsOf!.Value;
        var reportId = "bench" + Guid.NewGuid().ToString("N")[..27];
        store.CreateReport(new ReportRecord(reportId, ReportStatus.Pending, new ReportRequest(), now));
        var attempt = store.TryStartReport(reportId, now, now)!.Attempts;
        store.CompleteReport(reportId, attempt, summary, File.ReadAllBytes(reportFile), now);
        // The generated ids are UUIDs and digits: the CSV's first cell is the id itself.
        var ids = File.ReadLines(reportFile).Skip(1).Select(line => line[..line.IndexOf(',', StringComparison.Ordinal)]).ToList();
        var sample = Enumerable.Range(0, Sample).Select(i => ids[(int)((long)i * (ids.Count - 1) / (Sample - 1))]).ToList();

        var seconds = new List<double>();
        var mismatches = 0;
        Timeline(sample[0]); // warm-up: compiling
        for (var run = 0; run < runs; run++)
        {
            foreach (var storeId in sample)
            {
                var started = Stopwatch.GetTimestamp();
                var matches = Timeline(storeId);
                seconds.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
                mismatches += matches ? 0 : 1;
            }
        }
        var sorted = seconds.Order().ToList();
        output.WriteLine(Line($"store timeline (report record, CSV row, store recomputed): median {Median(seconds) * 1000:F1} ms, 90th percentile {sorted[(int)(sorted.Count * 0.9)] * 1000:F1} ms, max {sorted[^1] * 1000:F1} ms, {seconds.Count} calls over {Sample} stores; {mismatches} rows differing from the report's"));

        bool Timeline(string storeId)
        {
            var report = store.FindReport(reportId)!;
            var row = StoreTimelines.StoredRow(store, reportId, storeId);
            var timeline = StoreTimelines.Read(store, storeId, report.AsOf!.Value, report.Request.Interpolation, report.Request.MaxGap, cancellationToken);
            return timeline is { InReport: true } && row == timeline.CsvRow;
        }
    }

    // Both once untimed (compiling, caches), then in turns, each first every other run, so that neither
    // always runs on the other's warm cache.
    private static (List<double> FirstSeconds, ReportSummary First, List<double> SecondSeconds, ReportSummary Second) Alternately(
        int runs, Func<ReportSummary> first, Func<ReportSummary> second)
    {
        var firstSummary = first();
        var secondSummary = second();
        var firstSeconds = new List<double>();
        var secondSeconds = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            for (var step = 0; step < 2; step++)
            {
                var started = Stopwatch.GetTimestamp();
                if ((step == 0) == (run % 2 == 0))
                {
                    firstSummary = first();
                    firstSeconds.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
                }
                else
                {
                    secondSummary = second();
                    secondSeconds.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
                }
            }
        }
        return (firstSeconds, firstSummary, secondSeconds, secondSummary);
    }

    private static ReportSummary WriteReport(IMonitoringStore store, string file, CancellationToken cancellationToken, ReportRequest? request = null)
    {
        using var writer = new StreamWriter(file, false, new UTF8Encoding(false), 1 << 16);
        return ReportRunner.Run(store, request ?? new ReportRequest(), writer, cancellationToken: cancellationToken);
    }

    private static void WriteText(string path, Action<TextWriter> write)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        write(writer);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string Runs(List<double> values) => string.Join(", ", values.Select(v => v.ToString("F3", CultureInfo.InvariantCulture)));

    private static string Line(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
