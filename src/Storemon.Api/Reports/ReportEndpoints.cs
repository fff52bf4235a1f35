using System.ComponentModel;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using NodaTime;
using NodaTime.Text;
using Storemon.Api.Access;
using Storemon.Api.ApiDocs;
using Storemon.Api.Limits;
using Storemon.Engine;
using Storemon.Import;
using Storemon.Reports;
using Storemon.Storage;

namespace Storemon.Api.Reports;

/// <summary>The optional body of a trigger: the report time (ISO 8601; default the latest poll), the interpolation and the staleness limit.</summary>
public sealed record TriggerReportRequest(
    [property: Description("The report time T: ISO 8601 with Z or an offset, such as 2023-01-25T18:13:22.47922Z. By default the latest poll.")]
    string? AsOf = null,
    [property: Description("nearest (the default) or carry-forward.")]
    string? Interpolation = null,
    [property: Description("The staleness limit G, an ISO 8601 duration from PT1M to P7D such as PT2H: business time farther than G from the poll that would decide it is reported as unknown (three more CSV columns), and stores silent all week are listed too. By default none.")]
    string? MaxGap = null);

/// <summary>What a complete report was computed from: the same report over the same data, with the same provenance, is byte for byte the same.</summary>
public sealed record ProvenanceView(
    [property: Description("The report time T.")] string? AsOf,
    [property: Description("latest_poll (T was the latest poll in the database) or as_of (T was asked for).")] string AsOfSource,
    [property: Description("nearest or carry-forward.")] string Interpolation,
    [property: Description("The staleness limit, ISO 8601; null for none.")] string? MaxGap,
    [property: Description("The version of the tz database the local times were converted with, such as 2025b.")] string TzdbVersion,
    [property: Description("Stores in the report.")] int Stores,
    [property: Description("Poll rows read.")] long Polls,
    [property: Description("The latest poll in the database when the report ran.")] string? LatestPoll);

public sealed record TriggerReportResponse(
    [property: Description("The report's id, for get_report.")] string ReportId);

public sealed record ReportProgressView(
    int StoresDone,
    [property: Description("0 until the report has read its store list.")] int StoresTotal);

/// <summary>What get_report answers: the status, progress while running, the CSV when complete, the reason when failed.</summary>
public sealed record GetReportResponse(
    string ReportId,
    [property: Description("Running (also while still queued), Complete or Failed.")] string Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), Description("While running.")]
    ReportProgressView? Progress = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), Description("When complete: the report CSV.")]
    string? Csv = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), Description("When complete: where to download the CSV as a file.")]
    string? DownloadUrl = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), Description("When failed: why.")]
    string? Error = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), Description("When complete: what the report was computed from.")]
    ProvenanceView? Provenance = null);

/// <summary>A report as a resource.</summary>
public sealed record ReportView(
    string Id,
    [property: Description("Pending, Running, Complete or Failed.")] string Status,
    [property: Description("nearest or carry-forward.")] string Interpolation,
    [property: Description("The as_of asked for; null for the latest poll.")] string? RequestedAsOf,
    [property: Description("The staleness limit asked for (ISO 8601); null for none.")] string? MaxGap,
    [property: Description("The report time T used, once complete.")] string? AsOf,
    string CreatedAt,
    string? StartedAt,
    string? FinishedAt,
    ReportProgressView Progress,
    int? RowCount,
    [property: Description("How many times a run was started (a run cut short by a restart is run again).")] int Attempts,
    string? Error,
    [property: Description("Where to download the CSV, once complete.")] string? CsvUrl,
    [property: Description("What the report was computed from, once complete.")] ProvenanceView? Provenance);

public sealed record ReportPage(
    IReadOnlyList<ReportView> Items,
    int Page,
    int PageSize,
    [property: Description("The address of the next page; null on the last.")] string? Next);

/// <summary>The task's two endpoints, and the same reports as resources for programs.</summary>
internal static class ReportEndpoints
{
    private const string CsvMediaType = ApiDocumentation.CsvMediaType;

    private const string TriggerBody = """
        The JSON body is optional: `as_of` is the report time (ISO 8601 with `Z` or an offset; by
        default the latest poll), `interpolation` is `nearest` (the default) or `carry-forward`, and
        `max_gap` (an ISO 8601 duration from `PT1M` to `P7D`, such as `PT2H`; by default none) reports
        business time farther than that from the poll deciding it as unknown, in three more columns.
        """;

    // The report's record and its job are written one after the other: a trigger that cannot write both leaves neither.
    private const string NothingOnAFullDisk = "A full disk records no report and answers 507.";

    public static WebApplication MapReports(this WebApplication app)
    {
        app.MapPost("/trigger_report", TriggerReport).RequireAuthorization(Scopes.ReportsWrite).RequireRateLimiting(KeyLimits.Triggers).WithTags("Reports")
            .WithName("trigger_report")
            .WithSummary("Start a report")
            .WithDescription($"""
                Records a report and queues it, and answers at once with its id; the report is computed in
                the background. {TriggerBody} Then call get_report with the id. {NothingOnAFullDisk}
                """)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status507InsufficientStorage);
        app.MapGet("/get_report", GetReport).RequireAuthorization(Scopes.ReportsRead).WithTags("Reports")
            .WithName("get_report")
            .WithSummary("A report's status, and its CSV once complete")
            .WithDescription("""
                `Running` with its progress until the report is finished; then `Complete` with the CSV in `csv`
                and where to download it in `download_url`, or `Failed` with the reason in `error`. With
                `format=csv` or `Accept: text/csv`, a complete report answers the CSV file itself (an unfinished
                one still answers JSON). The `Report-Status` header says the same status as the body, in every form.
                """)
            .Produces<GetReportResponse>(StatusCodes.Status200OK, "application/json", CsvMediaType)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .AddOpenApiOperationTransformer(ReportIdIsRequired);

        var reports = app.MapGroup("/reports").WithTags("Reports");
        reports.MapPost("/", CreateReport).RequireAuthorization(Scopes.ReportsWrite).RequireRateLimiting(KeyLimits.Triggers)
            .WithName("create_report")
            .WithSummary("Start a report (as a resource)")
            .WithDescription($"""
                Like trigger_report, but answers 202 Accepted with the whole report and its address in
                `Location`. {TriggerBody} {NothingOnAFullDisk}
                """)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status507InsufficientStorage);
        reports.MapGet("/", ListReports).RequireAuthorization(Scopes.ReportsRead)
            .WithName("list_reports")
            .WithSummary("List reports, newest first")
            .WithDescription("""
                A page of reports (`page` 1 to 100000, `page_size` 1 to 200, default 20); `next` is the address of
                the next page, null on the last. Finished reports are kept for Reports:Retention (7 days by default).
                """)
            .ProducesProblem(StatusCodes.Status400BadRequest);
        reports.MapGet("/{id}", GetReportResource).RequireAuthorization(Scopes.ReportsRead)
            .WithName("get_report_by_id")
            .WithSummary("A report as a resource")
            .WithDescription("""
                Its status (`Pending`, `Running`, `Complete` or `Failed`), the requested and effective report
                time, when it was created, started and finished, its progress, rows, attempts and error, and
                `csv_url` once complete.
                """)
            .ProducesProblem(StatusCodes.Status404NotFound);
        reports.MapGet("/{id}/csv", DownloadCsv).RequireAuthorization(Scopes.ReportsRead)
            .WithName("download_report_csv")
            .WithSummary("Download a complete report's CSV")
            .WithDescription("""
                The CSV as a file (`report-<id>.csv`), streamed from the database. 409 while the report is
                not complete, or when it failed; the `Report-Status` header says which.
                """)
            .Produces<string>(StatusCodes.Status200OK, CsvMediaType)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        reports.MapStoreTimeline().RequireAuthorization(Scopes.ReportsRead);
        return app;
    }

    internal static Results<Ok<TriggerReportResponse>, ProblemHttpResult> TriggerReport(TriggerReportRequest? body, ReportJobs jobs) =>
        TryRead(body, out var request, out var problem)
            ? TypedResults.Ok(new TriggerReportResponse(jobs.Trigger(request).Id))
            : problem;

    internal static IResult GetReport(
        [FromQuery(Name = "report_id"), Description("The id trigger_report answered.")] string? reportId,
        [FromQuery, Description("csv: a complete report answers the CSV file itself.")] string? format,
        HttpContext context, IReportStore reports)
    {
        if (string.IsNullOrWhiteSpace(reportId))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "report_id is required",
                detail: "Pass the id that trigger_report returned: /get_report?report_id=<id>.");
        }
        if (reports.FindReport(reportId) is not { } report)
        {
            return UnknownReport(reportId);
        }
        context.Response.Headers["Report-Status"] = TaskStatusName(report.Status);
        var wantsCsv = string.Equals(format, "csv", StringComparison.OrdinalIgnoreCase)
            || context.Request.Headers.Accept.Any(value => value?.Contains(CsvMediaType, StringComparison.OrdinalIgnoreCase) == true);
        if (report.Status == ReportStatus.Complete && wantsCsv)
        {
            return CsvFile(report, reports);
        }
        return TypedResults.Ok(report.Status switch
        {
            ReportStatus.Complete => new GetReportResponse(report.Id, "Complete", Csv: ReadCsv(report.Id, reports), DownloadUrl: CsvUrl(report.Id),
                Provenance: View(report.Provenance)),
            ReportStatus.Failed => new GetReportResponse(report.Id, "Failed", Error: report.Error),
            _ => new GetReportResponse(report.Id, "Running", new ReportProgressView(report.StoresDone, report.StoresTotal)),
        });
    }

    // report_id is optional to the binder only so that its absence gets a ProblemDetails with a hint
    // rather than the framework's bare 400; to a caller it is required.
    private static Task ReportIdIsRequired(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
        {
            parameter.Required |= parameter.Name == "report_id";
        }
        return Task.CompletedTask;
    }

    // Both record the report (Pending) and hand its run to the job engine; the request itself never computes.
    internal static Results<Accepted<ReportView>, ProblemHttpResult> CreateReport(TriggerReportRequest? body, ReportJobs jobs)
    {
        if (!TryRead(body, out var request, out var problem))
        {
            return problem;
        }
        var report = jobs.Trigger(request);
        return TypedResults.Accepted($"/reports/{report.Id}", View(report));
    }

    private const int MaxPage = 100_000;
    private const int MaxPageSize = 200;

    internal static Results<Ok<ReportPage>, ProblemHttpResult> ListReports(
        IReportStore reports,
        [FromQuery, Description("1 to 100000; 1 by default.")] int? page,
        [FromQuery(Name = "page_size"), Description("1 to 200; 20 by default.")] int? pageSize)
    {
        var number = page ?? 1;
        var size = pageSize ?? 20;
        // Bounded so that the offset, and the next page's number, stay far inside an int: no page beyond
        // them can hold a report (100000 pages of 200 are 20 million reports; retention keeps a week's).
        if (number is < 1 or > MaxPage || size is < 1 or > MaxPageSize)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad page",
                detail: FormattableString.Invariant($"page is 1 to {MaxPage}, and page_size is 1 to {MaxPageSize}."));
        }
        var items = reports.ListReports((number - 1) * size, size + 1);
        var next = items.Count > size && number < MaxPage ? $"/reports?page={number + 1}&page_size={size}" : null;
        return TypedResults.Ok(new ReportPage([.. items.Take(size).Select(View)], number, size, next));
    }

    internal static Results<Ok<ReportView>, ProblemHttpResult> GetReportResource([Description("The report's id.")] string id, IReportStore reports) =>
        reports.FindReport(id) is { } report ? TypedResults.Ok(View(report)) : UnknownReport(id);

    internal static IResult DownloadCsv([Description("The report's id.")] string id, HttpContext context, IReportStore reports)
    {
        if (reports.FindReport(id) is not { } report)
        {
            return UnknownReport(id);
        }
        context.Response.Headers["Report-Status"] = StatusName(report.Status);
        return report.Status == ReportStatus.Complete ? CsvFile(report, reports) : NotComplete(report);
    }

    /// <summary>What is asked of a complete report, asked of one still running or failed: a 409 that says which.</summary>
    internal static ProblemHttpResult NotComplete(ReportRecord report) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The report is not complete",
            detail: report.Status == ReportStatus.Failed ? $"The report failed: {report.Error}" : "The report is still running; try again shortly.");

    private static IResult CsvFile(ReportRecord report, IReportStore reports)
    {
        var csv = reports.OpenReportCsv(report.Id);
        return csv is null
            ? UnknownReport(report.Id)
            : TypedResults.Stream(csv, CsvMediaType, $"report-{report.Id}.csv");
    }

    private static string ReadCsv(string id, IReportStore reports)
    {
        using var csv = reports.OpenReportCsv(id) ?? Stream.Null;
        using var reader = new StreamReader(csv);
        return reader.ReadToEnd();
    }

    internal static ProblemHttpResult UnknownReport(string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown report",
            detail: $"There is no report with id '{id}' (it may have been pruned after its retention).");

    private static bool TryRead(TriggerReportRequest? body, out ReportRequest request, out ProblemHttpResult problem)
    {
        var read = TryRead(body?.AsOf, body?.Interpolation, body?.MaxGap, out request, out var error);
        problem = read ? null! : TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: error.Title, detail: error.Detail);
        return read;
    }

    /// <summary>Reads a trigger's three optional fields, as the API and the pages take them; or says which is wrong and why.</summary>
    internal static bool TryRead(string? asOfText, string? interpolationText, string? maxGapText, out ReportRequest request, out (string Title, string Detail) error)
    {
        request = new ReportRequest();
        error = default;
        Instant? asOf = null;
        if (!string.IsNullOrWhiteSpace(asOfText))
        {
            if (!TimestampParser.TryParseInstant(asOfText, out var parsed))
            {
                error = ("Bad as_of", $"as_of '{asOfText}' is not a timestamp: use ISO 8601 with Z or an offset, such as 2023-01-25T18:13:22.47922Z.");
                return false;
            }
            asOf = parsed;
        }
        var interpolation = Interpolation.Nearest;
        if (!string.IsNullOrWhiteSpace(interpolationText) && !InterpolationNames.TryParse(interpolationText, out interpolation))
        {
            error = ("Bad interpolation", $"interpolation '{interpolationText}' is neither {InterpolationNames.Nearest} nor {InterpolationNames.CarryForward}.");
            return false;
        }
        Duration? maxGap = null;
        if (!string.IsNullOrWhiteSpace(maxGapText))
        {
            if (!MaxGaps.TryParse(maxGapText, out var gap))
            {
                error = ("Bad max_gap", $"max_gap '{maxGapText}' is not {MaxGaps.Allowed}.");
                return false;
            }
            maxGap = gap;
        }
        request = new ReportRequest(asOf, interpolation, maxGap);
        return true;
    }

    private static ReportView View(ReportRecord report) => new(
        report.Id,
        StatusName(report.Status),
        InterpolationNames.Name(report.Request.Interpolation),
        Format(report.Request.AsOf),
        report.Request.MaxGap is { } gap ? MaxGaps.Format(gap) : null,
        Format(report.AsOf),
        Format(report.CreatedAt)!,
        Format(report.StartedAt),
        Format(report.FinishedAt),
        new ReportProgressView(report.StoresDone, report.StoresTotal),
        report.RowCount,
        report.Attempts,
        report.Error,
        report.Status == ReportStatus.Complete ? CsvUrl(report.Id) : null,
        View(report.Provenance));

    private static ProvenanceView? View(ReportProvenance? provenance) => provenance is null ? null : new(
        Format(provenance.AsOf),
        provenance.AsOfRequested ? "as_of" : "latest_poll",
        InterpolationNames.Name(provenance.Interpolation),
        provenance.MaxGap is { } gap ? MaxGaps.Format(gap) : null,
        provenance.TzdbVersion,
        provenance.Stores,
        provenance.PollRows,
        Format(provenance.LatestPoll));

    // The task's API knows Running for everything not yet finished; the resource says Pending too.
    private static string StatusName(ReportStatus status) => status.ToString();

    // The task's get_report knows Running for everything not yet finished, in its body and its header alike.
    private static string TaskStatusName(ReportStatus status) => status == ReportStatus.Pending ? "Running" : StatusName(status);

    private static string CsvUrl(string id) => $"/reports/{id}/csv";

    private static string? Format(Instant? instant) => instant is { } value ? InstantPattern.ExtendedIso.Format(value) : null;
}
