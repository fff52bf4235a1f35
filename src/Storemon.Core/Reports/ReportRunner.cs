using System.Runtime.InteropServices;
using NodaTime;
using Storemon.Engine;
using Storemon.Storage;

namespace Storemon.Reports;

/// <summary>What a finished report (or shard) says about itself: its report time, its rows, the poll rows it read, and the latest poll in the database it read.</summary>
public sealed record ReportSummary(Instant? AsOf, int Stores, long PollRows, Instant? LatestPoll = null);

/// <summary>
/// What a report was computed from (SPEC, Provenance): the report time and whether it was asked for
/// (<c>as_of</c>) or the latest poll, the interpolation, the staleness limit, the tz database's version,
/// the stores and poll rows read, and the latest poll in the database. Two reports with the same
/// provenance over the same data are byte for byte the same.
/// </summary>
public sealed record ReportProvenance(
    Instant? AsOf, bool AsOfRequested, Interpolation Interpolation, Duration? MaxGap, string TzdbVersion, int Stores, long PollRows, Instant? LatestPoll)
{
    /// <summary>
    /// The release of the tz database this process converts local times with, as IANA names it (2026f):
    /// the release is what changes zone rules (NodaTime's VersionId adds its own mapping's version).
    /// </summary>
    public static string CurrentTzdbVersion => NodaTime.TimeZones.TzdbDateTimeZoneSource.Default.TzdbVersion;

    /// <summary>The provenance of a report computed here, for <paramref name="request"/>.</summary>
    public static ReportProvenance Of(ReportRequest request, ReportSummary summary) => new(
        summary.AsOf, request.AsOf is not null, request.Interpolation, request.MaxGap, CurrentTzdbVersion, summary.Stores, summary.PollRows, summary.LatestPoll);

    /// <summary>One line for people, as the CLI prints it: <c>as of 2023-01-25T18:13:22Z (latest poll), nearest, max_gap PT2H, tzdb 2025b, 13,572 stores, 1,809,476 polls, latest poll 2023-01-25T18:13:22Z</c>.</summary>
    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"as of {Text(AsOf)} ({(AsOfRequested ? "as_of" : "latest poll")}), {InterpolationNames.Name(Interpolation)}, max_gap {(MaxGap is { } gap ? MaxGaps.Format(gap) : "none")}, tzdb {TzdbVersion}, {Stores:N0} stores, {PollRows:N0} polls, latest poll {Text(LatestPoll)}");

    private static string Text(Instant? instant) => instant is { } value ? NodaTime.Text.InstantPattern.ExtendedIso.Format(value) : "none";
}

/// <summary>Progress of a running report: stores written so far, of the stores known to the database.</summary>
public readonly record struct ReportProgress(int StoresDone, int StoresTotal);

/// <summary>
/// Computes a report from one snapshot of the database and writes its CSV, store by store, so that
/// memory does not grow with the number of polls.
/// </summary>
public static class ReportRunner
{
    /// <summary>Stores without a time-zone row are in this zone.</summary>
    public const string DefaultTimeZone = "America/Chicago";

    /// <summary>Computes the report from a snapshot of <paramref name="store"/> opened for it.</summary>
    public static ReportSummary Run(
        IMonitoringStore store, ReportRequest request, TextWriter output,
        IProgress<ReportProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        using var snapshot = store.OpenSnapshot();
        return Run(snapshot, request, output, progress, cancellationToken);
    }

    /// <summary>Computes the whole report from <paramref name="snapshot"/>: the header, then a row per store.</summary>
    public static ReportSummary Run(
        IReportSnapshot snapshot, ReportRequest request, TextWriter output,
        IProgress<ReportProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(request);
        // The public data sets are static snapshots, so "now" is the latest poll, not the wall clock. The
        // latest poll is part of the report's provenance even when as_of is given.
        var latestPoll = snapshot.LatestPoll();
        var summary = Write(snapshot, request.AsOf ?? latestPoll, request.Interpolation, request.MaxGap, StoreRange.All, header: true, output, progress, cancellationToken);
        return summary with { LatestPoll = latestPoll };
    }

    /// <summary>
    /// Computes one shard of a report: the rows of the stores in <paramref name="range"/> at report time
    /// <paramref name="reportTime"/>, under the header when it is the <paramref name="first"/> shard. Shards
    /// of consecutive ranges, read from the same snapshot at the same report time and joined in order,
    /// are byte for byte the whole report.
    /// </summary>
    public static ReportSummary RunShard(
        IReportSnapshot snapshot, Instant reportTime, Interpolation interpolation, Duration? maxGap, StoreRange range, bool first, TextWriter output,
        IProgress<ReportProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return Write(snapshot, reportTime, interpolation, maxGap, range, first, output, progress, cancellationToken);
    }

    // A report with no report time (no polls at all, and no as_of) is its header alone. With a staleness
    // limit the report has the unknown columns, and the stores silent all week too: a store that went
    // quiet is exactly what such a report must show.
    private static ReportSummary Write(
        IReportSnapshot snapshot, Instant? reportTime, Interpolation interpolation, Duration? maxGap, StoreRange range, bool header, TextWriter output,
        IProgress<ReportProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        var unknown = maxGap is not null;
        var gapTicks = maxGap?.BclCompatibleTicks;
        if (header)
        {
            output.Write(unknown ? ReportCsv.HeaderWithUnknown : ReportCsv.Header);
            output.Write('\n');
        }
        if (reportTime is not { } asOf)
        {
            return new ReportSummary(null, 0, 0);
        }
        var window = new ReportWindow(asOf);
        var stores = snapshot.Stores(range);
        var clocks = new Dictionary<string, StoreClock>(StringComparer.Ordinal);
        var open = new List<(long Start, long End)>();
        var written = 0;
        long pollRows = 0;

        // Reading the polls is most of a report's work and is sequential; the computation and the CSV
        // go on a second thread, fed batches of stores in order, so a report costs little more than the
        // read of its rows. The batches are recycled, so memory stays flat however many stores there are.
        StorePipeline.Run(
            (onStore, token) => snapshot.ReadPolls(window.WeekStart, asOf, range, silentStores: unknown, onStore, token),
            batch =>
            {
                for (var i = 0; i < batch.Count; i++)
                {
                    var record = stores[batch.Keys[i]];
                    var polls = batch.PollsOf(i);
                    var clock = ClockFor(record, clocks, window);
                    BusinessCalendar.OpenIntervals(record.Hours, clock, window, open);
                    var uptime = UptimeCalculator.Measure(CollectionsMarshal.AsSpan(open), polls, window, interpolation, gapTicks);
                    ReportCsv.WriteRow(output, record.ExternalId, uptime, unknown);
                    pollRows += polls.Length;
                    if ((++written & 0x3FF) == 0)
                    {
                        progress?.Report(new ReportProgress(written, stores.Count));
                    }
                }
            },
            cancellationToken);

        progress?.Report(new ReportProgress(written, written));
        return new ReportSummary(asOf, written, pollRows);
    }

    private static StoreClock ClockFor(StoreRecord record, Dictionary<string, StoreClock> clocks, ReportWindow window)
    {
        var name = record.TimeZone ?? DefaultTimeZone;
        if (!clocks.TryGetValue(name, out var clock))
        {
            clocks[name] = clock = new StoreClock(ZoneOf(record), window.ClockRange);
        }
        return clock;
    }

    /// <summary>The store's zone, <see cref="DefaultTimeZone"/> when it has none; a zone the tz database does not know fails the report, naming the store.</summary>
    internal static DateTimeZone ZoneOf(StoreRecord record)
    {
        var name = record.TimeZone ?? DefaultTimeZone;
        return DateTimeZoneProviders.Tzdb.GetZoneOrNull(name)
            ?? throw new InvalidDataException($"Store {record.ExternalId} has time zone '{name}', which the tz database of this build does not know.");
    }
}
