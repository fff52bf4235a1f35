using System.ComponentModel;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using NodaTime;
using NodaTime.Text;
using Storemon.Engine;
using Storemon.Reports;
using Storemon.Storage;

namespace Storemon.Api.Reports;

/// <summary>A report row's values, in the CSV's units: minutes for the hour, hours for the day and week, two decimals.</summary>
public sealed record ReportRowView(
    decimal UptimeLastHour, decimal UptimeLastDay, decimal UptimeLastWeek,
    decimal DowntimeLastHour, decimal DowntimeLastDay, decimal DowntimeLastWeek,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), Description("Only in a report with max_gap.")] decimal? UnknownLastHour = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), Description("Only in a report with max_gap.")] decimal? UnknownLastDay = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), Description("Only in a report with max_gap.")] decimal? UnknownLastWeek = null)
{
    /// <summary>The values of a CSV row, in the header's order (six, or nine with the unknown columns).</summary>
    public static ReportRowView From(decimal[] values) => values.Length > 6
        ? new(values[0], values[1], values[2], values[3], values[4], values[5], values[6], values[7], values[8])
        : new(values[0], values[1], values[2], values[3], values[4], values[5]);
}

/// <summary>A local calendar day of the store, as the instants of its local midnights (23 or 25 hours on a day the clocks change).</summary>
public sealed record LocalDayView(
    [property: Description("The local date, ISO 8601.")] string Date,
    [property: Description("Its first instant (local midnight, or the end of a gap at midnight), UTC.")] string Start,
    [property: Description("The first instant of the next local day, UTC.")] string End);

/// <summary>A business interval of the week: merged, and cut to the week.</summary>
public sealed record BusinessIntervalView(
    [property: Description("UTC, ISO 8601.")] string Start,
    [property: Description("UTC, ISO 8601 (exclusive).")] string End,
    [property: Description("The store's wall-clock time at start, ISO 8601 local date-time.")] string LocalStart,
    [property: Description("The store's wall-clock time at end.")] string LocalEnd);

public sealed record PollView(
    [property: Description("UTC, ISO 8601.")] string At,
    [property: Description("active or inactive.")] string Status);

/// <summary>A piece of business time and the status the report attributed to it.</summary>
public sealed record TimelineSegmentView(
    [property: Description("UTC, ISO 8601.")] string Start,
    [property: Description("UTC, ISO 8601 (exclusive).")] string End,
    [property: Description("active, inactive or unknown (only with max_gap).")] string Status);

/// <summary>One store's week as its report computed it.</summary>
public sealed record StoreTimelineView(
    string ReportId,
    string StoreId,
    [property: Description("The report time T.")] string AsOf,
    [property: Description("T − 168 h: the week is [week_start, as_of).")] string WeekStart,
    [property: Description("nearest or carry-forward.")] string Interpolation,
    [property: Description("The report's staleness limit (ISO 8601); null for none.")] string? MaxGap,
    [property: Description("The store's IANA zone (America/Chicago when it has none).")] string TimeZone,
    [property: Description("The store's row in the report's CSV.")] ReportRowView Row,
    [property: Description("The row recomputed now from the database as of T, which the segments add up to.")] ReportRowView Recomputed,
    [property: Description("False when the recomputed row differs from the report's (polls at or before T written after the report ran, or polls gone since).")] bool MatchesReport,
    [property: Description("The local days the week touches, whole: one lane each.")] IReadOnlyList<LocalDayView> LocalDays,
    [property: Description("The store's business intervals within the week.")] IReadOnlyList<BusinessIntervalView> BusinessHours,
    [property: Description("The polls the report reads: the latest before the week (it can decide the week's start), then the week's up to T.")] IReadOnlyList<PollView> Polls,
    [property: Description("The business time of the week by status: sorted, disjoint, adjacent pieces of one status joined.")] IReadOnlyList<TimelineSegmentView> Segments);

/// <summary>GET /reports/{id}/stores/{store_id}/timeline: how a report arrived at one store's row.</summary>
internal static class StoreTimelineEndpoint
{
    public static RouteHandlerBuilder MapStoreTimeline(this RouteGroupBuilder reports) =>
        reports.MapGet("/{id}/stores/{store_id}/timeline", GetStoreTimeline)
            .WithName("get_store_timeline")
            .WithSummary("One store's week in a complete report: business hours, polls, and time by status")
            .WithDescription("""
                The store's business intervals of the week `[T − 168 h, T)` (UTC, with local wall-clock labels),
                the polls the report read, and `segments`: the business time cut into pieces by the status the
                report attributed (`active`, `inactive`, `unknown` with `max_gap`), sorted and disjoint, from the
                same computation as the report's totals. It is recomputed from the database as of the report's
                T: `row` is the report's CSV row, `recomputed` what the segments add up to, and `matches_report`
                says whether they agree (polls at or before T written after the report ran change it). 404 for
                an unknown report or a store without a row in it; 409 while the report is not complete.
                """)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

    internal static Results<Ok<StoreTimelineView>, ProblemHttpResult> GetStoreTimeline(
        [Description("The report's id.")] string id,
        [FromRoute(Name = "store_id"), Description("The store's id, as imported.")] string storeId,
        HttpContext context, IReportStore reports, IMonitoringStore store, CancellationToken cancellationToken)
    {
        storeId = StoreIdAsSent(context, storeId);
        if (Load(id, storeId, reports, store, cancellationToken, out var report, out var row, out var timeline) is { } problem)
        {
            return problem;
        }
        var recomputed = timeline.CsvRow;
        return TypedResults.Ok(new StoreTimelineView(
            report.Id,
            storeId,
            Format(timeline.Window.AsOf),
            Format(timeline.Window.WeekStart),
            InterpolationNames.Name(report.Request.Interpolation),
            report.Request.MaxGap is { } gap ? MaxGaps.Format(gap) : null,
            timeline.Zone.Id,
            ReportRowView.From(ReportCsv.Values(row, storeId)),
            ReportRowView.From(ReportCsv.Values(recomputed, storeId)),
            MatchesReport(timeline, row),
            [.. timeline.LocalDays().Select(day => new LocalDayView(LocalDatePattern.Iso.Format(day.Date), Format(day.Start), Format(day.End)))],
            [.. timeline.BusinessTime.Select(interval => new BusinessIntervalView(
                Format(interval.Start), Format(interval.End), Local(interval.Start, timeline.Zone), Local(interval.End, timeline.Zone)))],
            [.. timeline.Polls.Select(poll => new PollView(Format(poll.UnixTicks), poll.Active ? "active" : "inactive"))],
            [.. timeline.Segments.Select(segment => new TimelineSegmentView(Format(segment.StartTicks), Format(segment.EndTicks), StatusName(segment.Status)))]));
    }

    /// <summary>
    /// A complete report, the store's row in it and the store's timeline recomputed as of its T; or the
    /// problem (404 unknown report or store, 409 not complete). The API and the store's page both read it so.
    /// </summary>
    internal static ProblemHttpResult? Load(
        string id, string storeId, IReportStore reports, IMonitoringStore store, CancellationToken cancellationToken,
        out ReportRecord report, out string row, out StoreTimeline timeline)
    {
        report = null!;
        row = null!;
        timeline = null!;
        if (reports.FindReport(id) is not { } found)
        {
            return ReportEndpoints.UnknownReport(id);
        }
        report = found;
        if (report.Status != ReportStatus.Complete)
        {
            return ReportEndpoints.NotComplete(report);
        }
        // A report without a report time (there were no polls) is its header alone.
        var stored = report.AsOf is null ? null : StoreTimelines.StoredRow(reports, id, storeId);
        var read = stored is null || report.AsOf is not { } asOf ? null
            : StoreTimelines.Read(store, storeId, asOf, report.Request.Interpolation, report.Request.MaxGap, cancellationToken);
        if (stored is null || read is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown store",
                detail: $"Report {id} has no row for store '{storeId}'.");
        }
        (row, timeline) = (stored, read);
        return null;
    }

    /// <summary>Whether the row recomputed now is the report's own.</summary>
    internal static bool MatchesReport(StoreTimeline timeline, string row) =>
        timeline.InReport && string.Equals(row, timeline.CsvRow, StringComparison.Ordinal);

    // The server decodes the path but for %2F, which a route value keeps as it came, so an id holding '/'
    // (sent as %2F) would not be found, and one holding "%2F" (sent as %252F) would be taken for it. The
    // id is the request target's second-to-last segment, decoded once.
    private static string StoreIdAsSent(HttpContext context, string routeValue)
    {
        if (!routeValue.Contains('%', StringComparison.Ordinal)
            || context.Features.Get<IHttpRequestFeature>()?.RawTarget is not { Length: > 0 } target)
        {
            return routeValue;
        }
        var path = target.Split('?', 2)[0];
        var segments = path.Split('/');
        return segments.Length >= 2 ? Uri.UnescapeDataString(segments[^2]) : routeValue;
    }

    private static string StatusName(SegmentStatus status) => status switch
    {
        SegmentStatus.Active => "active",
        SegmentStatus.Inactive => "inactive",
        _ => "unknown",
    };

    private static string Format(Instant instant) => InstantPattern.ExtendedIso.Format(instant);

    private static string Format(long unixTicks) => Format(Instant.FromUnixTimeTicks(unixTicks));

    private static string Local(long unixTicks, DateTimeZone zone) =>
        LocalDateTimePattern.ExtendedIso.Format(Instant.FromUnixTimeTicks(unixTicks).InZone(zone).LocalDateTime);
}
