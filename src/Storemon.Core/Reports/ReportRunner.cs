using System.Runtime.InteropServices;
using NodaTime;
using Storemon.Engine;
using Storemon.Storage;

namespace Storemon.Reports;

/// <summary>What a finished report says about itself.</summary>
public sealed record ReportSummary(Instant? AsOf, int Stores, long PollRows);

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
        // The public data sets are static snapshots, so "now" is the latest poll, not the wall clock.
        var reportTime = request.AsOf ?? snapshot.LatestPoll();
        return Write(snapshot, reportTime, request.Interpolation, StoreRange.All, header: true, output, progress, cancellationToken);
    }

    /// <summary>
    /// Computes one shard of a report: the rows of the stores in <paramref name="range"/> at report time
    /// <paramref name="reportTime"/>, under the header when it is the <paramref name="first"/> shard. Shards
    /// of consecutive ranges, read from the same snapshot at the same report time and joined in order,
    /// are byte for byte the whole report.
    /// </summary>
    public static ReportSummary RunShard(
        IReportSnapshot snapshot, Instant reportTime, Interpolation interpolation, StoreRange range, bool first, TextWriter output,
        IProgress<ReportProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return Write(snapshot, reportTime, interpolation, range, first, output, progress, cancellationToken);
    }

    // A report with no report time (no polls at all, and no as_of) is its header alone.
    private static ReportSummary Write(
        IReportSnapshot snapshot, Instant? reportTime, Interpolation interpolation, StoreRange range, bool header, TextWriter output,
        IProgress<ReportProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (header)
        {
            output.Write(ReportCsv.Header);
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
            (onStore, token) => snapshot.ReadPolls(window.WeekStart, asOf, range, onStore, token),
            batch =>
            {
                for (var i = 0; i < batch.Count; i++)
                {
                    var record = stores[batch.Keys[i]];
                    var polls = batch.PollsOf(i);
                    var clock = ClockFor(record, clocks, window);
                    BusinessCalendar.OpenIntervals(record.Hours, clock, window, open);
                    var uptime = UptimeCalculator.Measure(CollectionsMarshal.AsSpan(open), polls, window, interpolation);
                    ReportCsv.WriteRow(output, record.ExternalId, uptime);
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
            var zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(name)
                ?? throw new InvalidDataException($"Store {record.ExternalId} has time zone '{name}', which the tz database of this build does not know.");
            clocks[name] = clock = new StoreClock(zone, window.ClockRange);
        }
        return clock;
    }
}
