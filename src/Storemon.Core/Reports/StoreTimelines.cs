using System.Runtime.InteropServices;
using NodaTime;
using Storemon.Engine;
using Storemon.Storage;

namespace Storemon.Reports;

/// <summary>
/// One store's week as a report at <see cref="Window"/>'s T computes it: its business time, the polls
/// read, the pieces of business time attributed to each status, and the totals of the same walk.
/// </summary>
/// <param name="Zone">The store's zone (America/Chicago when it has none).</param>
/// <param name="InReport">Whether a report would have a row for the store: a poll in the week, or with a staleness limit any poll at or before T.</param>
/// <param name="BusinessTime">The store's business intervals within the week, sorted, disjoint [start, end) Unix ticks.</param>
/// <param name="Polls">The polls the report reads for the store: the latest before the week, then the week's up to T.</param>
/// <param name="Segments">Business time by status, sorted, disjoint, adjacent pieces of one status joined.</param>
public sealed record StoreTimeline(
    StoreRecord Store,
    DateTimeZone Zone,
    ReportWindow Window,
    bool Unknown,
    bool InReport,
    IReadOnlyList<(long Start, long End)> BusinessTime,
    IReadOnlyList<Poll> Polls,
    IReadOnlyList<TimelineSegment> Segments,
    StoreUptime Uptime)
{
    /// <summary>The store's row as the report CSV writes it (with the unknown columns when the report has a staleness limit).</summary>
    public string CsvRow => ReportCsv.Row(Store.ExternalId, Uptime, Unknown);

    /// <summary>
    /// Every local date of the store that the week [T − 168 h, T) touches, whole, with the instants of its
    /// local midnight and the next (23 or 25 hours apart on a day the clocks change): a lane each.
    /// </summary>
    public IReadOnlyList<(LocalDate Date, Instant Start, Instant End)> LocalDays()
    {
        var days = new List<(LocalDate, Instant, Instant)>();
        var last = (Window.AsOf - Duration.Epsilon).InZone(Zone).Date;
        for (var date = Window.WeekStart.InZone(Zone).Date; date <= last; date = date.PlusDays(1))
        {
            days.Add((date, date.AtStartOfDayInZone(Zone).ToInstant(), date.PlusDays(1).AtStartOfDayInZone(Zone).ToInstant()));
        }
        return days;
    }
}

/// <summary>Reads one store's timeline from the database, through the report's own reads and engine.</summary>
public static class StoreTimelines
{
    /// <summary>The row of <paramref name="storeId"/> in the stored CSV of report <paramref name="reportId"/>, its line break included; null when there is none.</summary>
    public static string? StoredRow(IReportStore reports, string reportId, string storeId)
    {
        ArgumentNullException.ThrowIfNull(reports);
        using var csv = reports.OpenReportCsv(reportId);
        if (csv is null)
        {
            return null;
        }
        using var reader = new StreamReader(csv);
        return ReportCsv.FindRow(reader, storeId);
    }

    /// <summary>
    /// The timeline of <paramref name="storeId"/> at report time <paramref name="asOf"/>, from a snapshot of
    /// <paramref name="store"/> as it is now; null when the database has no such store.
    /// </summary>
    public static StoreTimeline? Read(
        IMonitoringStore store, string storeId, Instant asOf, Interpolation interpolation, Duration? maxGap, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var range = StoreRange.Only(storeId);
        var window = new ReportWindow(asOf);
        using var snapshot = store.OpenSnapshot();
        if (snapshot.Stores(range).Values.SingleOrDefault() is not { } record)
        {
            return null;
        }
        Poll[]? polls = null;
        snapshot.ReadPolls(window.WeekStart, asOf, range, silentStores: maxGap is not null, (_, read) => polls = read.ToArray(), cancellationToken);

        var zone = ReportRunner.ZoneOf(record);
        var open = new List<(long Start, long End)>();
        BusinessCalendar.OpenIntervals(record.Hours, new StoreClock(zone, window.ClockRange), window, open);
        var segments = new List<TimelineSegment>();
        var uptime = UptimeCalculator.Timeline(
            CollectionsMarshal.AsSpan(open), polls, window, interpolation, maxGap?.BclCompatibleTicks, segments);
        return new StoreTimeline(record, zone, window, maxGap is not null, polls is not null, open, polls ?? [], segments, uptime);
    }
}
