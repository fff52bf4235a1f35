using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NodaTime;
using NodaTime.Text;
using Storemon.Api.Reports;
using Storemon.Engine;
using Storemon.Reports;
using Storemon.Storage;

namespace Storemon.Api.Ui.Pages;

/// <summary>
/// One store's week in a report, as a picture: a lane per local day in the store's zone, business hours
/// shaded, the time attributed to each status coloured (and patterned), each poll a tick, the last day
/// and hour marked; beside it the row's numbers and how they were made. The same timeline as
/// <c>GET /reports/{id}/stores/{store_id}/timeline</c>, recomputed as of the report's T.
/// </summary>
public sealed class StoreModel(IReportStore reports, IMonitoringStore store) : PageModel
{
    /// <summary>Pixels an hour takes in a lane: a 24-hour day is 720 px, a 23-hour one 690 px.</summary>
    public const double HourWidth = 30;

    public const double LabelWidth = 116;
    public const double LaneHeight = 26;
    public const double LaneGap = 16;

    [FromRoute(Name = "id")]
    public string Id { get; set; } = "";

    [FromRoute(Name = "storeId")]
    public string StoreId { get; set; } = "";

    public string? Problem { get; private set; }

    public ReportRecord Report { get; private set; } = null!;

    public StoreTimeline Timeline { get; private set; } = null!;

    /// <summary>The values of the report's row for the store, in the CSV's units.</summary>
    public decimal[] Row { get; private set; } = [];

    /// <summary>The values recomputed now, as of T; they equal <see cref="Row"/> unless polls at or before T arrived after the report ran.</summary>
    public decimal[] Recomputed { get; private set; } = [];

    public bool MatchesReport { get; private set; }

    public IReadOnlyList<Lane> Lanes { get; private set; } = [];

    public IActionResult OnGet(CancellationToken cancellationToken)
    {
        if (StoreTimelineEndpoint.Load(Id, StoreId, reports, store, cancellationToken, out var report, out var row, out var timeline) is { } problem)
        {
            Problem = problem.ProblemDetails.Detail;
            Response.StatusCode = problem.StatusCode;
            return Page();
        }
        (Report, Timeline) = (report, timeline);
        Row = ReportCsv.Values(row, StoreId);
        Recomputed = ReportCsv.Values(timeline.CsvRow, StoreId);
        MatchesReport = StoreTimelineEndpoint.MatchesReport(timeline, row);
        Lanes = LanesOf(timeline);
        return Page();
    }

    /// <summary>Every local date the week [T − 168 h, T) touches, with what happened in it.</summary>
    private static List<Lane> LanesOf(StoreTimeline timeline)
    {
        var weekStart = timeline.Window.WeekStart;
        var asOf = timeline.Window.AsOf;
        var lanes = new List<Lane>();
        foreach (var (date, start, end) in timeline.LocalDays())
        {
            List<Span> Within(IEnumerable<(Instant Start, Instant End, string Kind)> spans) =>
                [.. spans.Where(s => s.Start < end && s.End > start)
                    .Select(s => new Span(X(Max(s.Start, start), start), X(Min(s.End, end), start), s.Kind))];
            lanes.Add(new Lane(
                date,
                (end - start).TotalHours,
                Within(timeline.BusinessTime.Select(b => (Instant.FromUnixTimeTicks(b.Start), Instant.FromUnixTimeTicks(b.End), "open"))),
                Within(timeline.Segments.Select(s => (Instant.FromUnixTimeTicks(s.StartTicks), Instant.FromUnixTimeTicks(s.EndTicks), Name(s.Status)))),
                Within([(Instant.MinValue, weekStart, "outside"), (asOf, Instant.MaxValue, "outside")]),
                Within([(asOf - Duration.FromHours(24), asOf, "day"), (asOf - Duration.FromHours(1), asOf, "hour")]),
                [.. timeline.Polls.Select(p => (At: Instant.FromUnixTimeTicks(p.UnixTicks), p.Active)).Where(p => p.At >= start && p.At < end)
                    .Select(p => new Tick(X(p.At, start), p.Active, p.At))]));
        }
        return lanes;
    }

    private static double X(Instant at, Instant laneStart) => LabelWidth + ((at - laneStart).TotalHours * HourWidth);

    private static Instant Max(Instant a, Instant b) => a > b ? a : b;

    private static Instant Min(Instant a, Instant b) => a < b ? a : b;

    public static string Name(SegmentStatus status) => status switch
    {
        SegmentStatus.Active => "up",
        SegmentStatus.Inactive => "down",
        _ => "unknown",
    };

    public static string Fill(string kind) => kind switch
    {
        "up" => "var(--up)",
        "down" => "url(#down-hatch)",
        "unknown" => "url(#unknown-dots)",
        _ => "none",
    };

    public static string Px(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    public static string Local(long unixTicks, DateTimeZone zone) =>
        LocalDateTimePattern.CreateWithInvariantCulture("ddd uuuu'-'MM'-'dd HH':'mm':'ss").Format(Instant.FromUnixTimeTicks(unixTicks).InZone(zone).LocalDateTime);

    public static string Utc(long unixTicks) => UiFormat.Time(Instant.FromUnixTimeTicks(unixTicks));

    /// <summary>One local day: its length in hours (23 or 25 on a day the clocks change), and what to draw in it, in x pixels.</summary>
    public sealed record Lane(LocalDate Date, double Hours, IReadOnlyList<Span> Open, IReadOnlyList<Span> Segments, IReadOnlyList<Span> Outside, IReadOnlyList<Span> Windows, IReadOnlyList<Tick> Polls)
    {
        public string Label => LocalDatePattern.CreateWithInvariantCulture("ddd uuuu'-'MM'-'dd").Format(Date);
    }

    public sealed record Span(double From, double To, string Kind)
    {
        public double Width => To - From;
    }

    public sealed record Tick(double X, bool Active, Instant At);
}
