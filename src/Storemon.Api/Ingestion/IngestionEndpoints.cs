using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Storemon.Api.Access;
using Storemon.Api.ApiDocs;
using Storemon.Api.Limits;
using Storemon.Import;
using Storemon.Storage;

namespace Storemon.Api.Ingestion;

/// <summary>Limits of what a caller may send.</summary>
public sealed class IngestionOptions
{
    public const string Section = "Ingestion";

    /// <summary>The largest body of POST /polls, in bytes.</summary>
    [Range(1, long.MaxValue)]
    public long MaxPollBodyBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>The largest CSV upload of POST /imports/..., in bytes.</summary>
    [Range(1, long.MaxValue)]
    public long MaxImportBytes { get; set; } = 1024L * 1024 * 1024;

    /// <summary>Where uploads wait while they are imported; by default storemon-uploads in the temporary folder.</summary>
    public string? UploadFolder { get; set; }

    /// <summary>
    /// Polls later than this after the service's clock at import are rejected as in the future: one
    /// device with a wrong clock would otherwise move every default report's time (the latest poll).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "3650.00:00:00")]
    public TimeSpan MaxFutureSkew { get; set; } = ImportRules.DefaultMaxFutureSkew;

    /// <summary>
    /// Requests to <c>/polls</c> and <c>/imports/*</c> one key may send within <see cref="RequestWindow"/>
    /// (one client address, when the service runs without keys); 0: no limit. Far above what the platform
    /// needs (every store of ~14k posting its own poll in the same minute), it stops a runaway client.
    /// </summary>
    [Range(0, int.MaxValue)]
    public int RequestLimit { get; set; } = 20_000;

    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan RequestWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The rules of an import that starts now.</summary>
    public ImportRules RulesAt(TimeProvider time) => ImportRules.At(time.GetUtcNow(), MaxFutureSkew);
}

/// <summary>One poll as a JSON object.</summary>
public sealed record PollBody(
    string? StoreId,
    [property: Description("active or inactive.")] string? Status,
    [property: Description("When the store was polled: 2024-10-14 10:00:00.5 UTC, or ISO 8601 with Z or an offset.")]
    string? TimestampUtc);

public sealed record RejectionView(
    [property: Description("The physical line of the CSV (the header is line 1), or the position of the poll in a JSON array (from 1).")]
    int Line,
    string Reason);

/// <summary>What an ingestion did, as the CLI's import summary says it.</summary>
public sealed record ImportSummaryView(
    [property: Description("The uploaded file's name, or \"request body\".")] string File,
    [property: Description("status polls, business hours or time zones.")] string Kind,
    int RowsRead,
    int Imported,
    int Rejected,
    [property: Description("The first 20 rejections; rejected counts them all.")]
    IReadOnlyList<RejectionView> FirstRejections);

/// <summary>Live ingestion: polls as they arrive, and uploads of the three CSV kinds, with the import's rules.</summary>
internal static class IngestionEndpoints
{
    private const string ImportRules = """
        The file is a multipart upload of exactly one file, or the request body with `Content-Type: text/csv`.
        The valid rows are imported in one transaction; each bad row is rejected with its line (the header is
        line 1) and reason, and the first 20 are listed. A file refused whole (a missing column, an empty or
        non-UTF-8 file) imports nothing and answers 400. Uploads over Ingestion:MaxImportBytes (1 GiB by
        default) are refused with 413. A store id must be printable (no control characters) and at most
        256 characters long; a poll more than Ingestion:MaxFutureSkew (24 h by default) after the
        service's clock is rejected as in the future. A full disk imports nothing and answers 507.
        """;

    public static WebApplicationBuilder AddIngestionLimits(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<IngestionOptions>()
            .Bind(builder.Configuration.GetSection(IngestionOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<UploadFolder>();
        builder.Services.AddHostedService(services => services.GetRequiredService<UploadFolder>());
        return builder;
    }

    public static WebApplication MapIngestion(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<IngestionOptions>>().Value;
        app.MapPost("/polls", IngestPolls)
            .RequireAuthorization(Scopes.Ingest)
            .RequireRateLimiting(KeyLimits.Ingestion)
            .RecordImportOutcomes()
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(options.MaxPollBodyBytes))
            .WithTags("Ingestion")
            .WithName("ingest_polls")
            .WithSummary("Add polls as they arrive")
            .WithDescription("""
                A JSON array of `{store_id, status, timestamp_utc}`, or a status CSV with `Content-Type: text/csv`.
                Polls are upserted by (store, time), the last write winning; each bad poll is rejected with its
                position (from 1) and reason, the others are written in one transaction. A store id must be
                printable (no control characters) and at most 256 characters long; a poll more than
                Ingestion:MaxFutureSkew (24 h by default) after the service's clock is rejected as in the
                future. Bodies over Ingestion:MaxPollBodyBytes (16 MiB by default) are refused with 413; a full
                disk stores nothing and answers 507.
                """)
            .Accepts<List<PollBody>>("application/json", ApiDocumentation.CsvMediaType)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status507InsufficientStorage);
        var imports = app.MapGroup("/imports").WithTags("Ingestion").RequireAuthorization(Scopes.Ingest).RequireRateLimiting(KeyLimits.Ingestion)
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(options.MaxImportBytes))
            // The form reader has its own limit (128 MiB by default): a multipart upload gets the same one.
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestFormLimitsAttribute { MultipartBodyLengthLimit = options.MaxImportBytes })
            .DisableAntiforgery()
            .RecordImportOutcomes()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status507InsufficientStorage);
        imports.MapPost("/status", ImportStatus)
            .WithName("import_status")
            .Accepts<string>("multipart/form-data", ApiDocumentation.CsvMediaType)
            .WithSummary("Import a status CSV")
            .WithDescription($"""
                Columns `store_id`, `status` (`active` or `inactive`), `timestamp_utc` (`2024-10-14 10:00:00.5 UTC`, or ISO 8601).
                Polls are upserted by (store, time), the last write winning. {ImportRules}
                """);
        imports.MapPost("/hours", ImportHours)
            .WithName("import_hours")
            .Accepts<string>("multipart/form-data", ApiDocumentation.CsvMediaType)
            .WithSummary("Import a business-hours CSV")
            .WithDescription($"""
                Columns `store_id`, `dayOfWeek` (or `day`; 0 is Monday), `start_time_local`, `end_time_local`. The
                hours of every store the file names (with a valid row) replace the hours it had; a store without
                hours is open 24×7. {ImportRules}
                """);
        imports.MapPost("/timezones", ImportTimeZones)
            .WithName("import_timezones")
            .Accepts<string>("multipart/form-data", ApiDocumentation.CsvMediaType)
            .WithSummary("Import a time-zone CSV")
            .WithDescription($"""
                Columns `store_id`, `timezone_str` (a tz database name such as `America/Chicago`). Each store the file
                names gets its zone set or replaced; a store without one is in America/Chicago. {ImportRules}
                """);
        return app;
    }

    internal static Task<Results<Ok<ImportSummaryView>, ProblemHttpResult>> ImportStatus(
        HttpRequest request, IMonitoringStore store, IOptions<IngestionOptions> options, TimeProvider time, CancellationToken cancellationToken) =>
        Upload(ImportKind.Status, request, store, options.Value.RulesAt(time), cancellationToken);

    internal static Task<Results<Ok<ImportSummaryView>, ProblemHttpResult>> ImportHours(
        HttpRequest request, IMonitoringStore store, IOptions<IngestionOptions> options, TimeProvider time, CancellationToken cancellationToken) =>
        Upload(ImportKind.BusinessHours, request, store, options.Value.RulesAt(time), cancellationToken);

    internal static Task<Results<Ok<ImportSummaryView>, ProblemHttpResult>> ImportTimeZones(
        HttpRequest request, IMonitoringStore store, IOptions<IngestionOptions> options, TimeProvider time, CancellationToken cancellationToken) =>
        Upload(ImportKind.TimeZones, request, store, options.Value.RulesAt(time), cancellationToken);

    /// <summary>A JSON array of polls, or a status CSV body: upserted by (store, time) like an import.</summary>
    internal static async Task<Results<Ok<ImportSummaryView>, ProblemHttpResult>> IngestPolls(
        HttpRequest request, IMonitoringStore store, IOptions<JsonOptions> json, IOptions<IngestionOptions> options, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var rules = options.Value.RulesAt(time);
        if (IsCsv(request.ContentType))
        {
            return await Upload(ImportKind.Status, request, store, rules, cancellationToken);
        }
        List<PollBody?>? polls;
        try
        {
            // Read with the service's JSON settings, so that a poll's names are those of every other body.
            polls = await JsonSerializer.DeserializeAsync<List<PollBody?>>(request.Body, json.Value.SerializerOptions, cancellationToken);
        }
        catch (JsonException e)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed poll body",
                detail: $"The body is not a JSON array of {{store_id, status, timestamp_utc}}: {e.Message}");
        }
        if (polls is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed poll body",
                detail: "The body must be a JSON array of {store_id, status, timestamp_utc}, or a status CSV with Content-Type text/csv.");
        }

        var rows = new List<PollRow>(polls.Count);
        var rejections = new List<RejectionView>();
        for (var i = 0; i < polls.Count; i++)
        {
            var poll = polls[i];
            var storeId = poll?.StoreId?.Trim() ?? "";
            var reason = StoreIds.Problem(storeId);
            if (reason is null && PollFields.TryParse(storeId, poll!.Status ?? "", poll.TimestampUtc ?? "", rules, out var row, out reason))
            {
                rows.Add(row);
                continue;
            }
            // "line" is the 1-based position of the object in the array.
            rejections.Add(new RejectionView(i + 1, reason!));
        }
        var imported = rows.Count == 0 ? 0 : store.WritePolls(rows, cancellationToken);
        return TypedResults.Ok(new ImportSummaryView("request body", ImportSummary.KindName(ImportKind.Status), polls.Count, imported, rejections.Count,
            [.. rejections.Take(CsvImporter.RejectionsKept)]));
    }

    /// <summary>
    /// A CSV upload (multipart form file or a text/csv body). The body is first buffered to a
    /// temporary file: the import reads synchronously, which Kestrel does not allow on a request.
    /// </summary>
    internal static async Task<Results<Ok<ImportSummaryView>, ProblemHttpResult>> Upload(
        ImportKind kind, HttpRequest request, IMonitoringStore store, ImportRules rules, CancellationToken cancellationToken)
    {
        var buffer = request.HttpContext.RequestServices.GetRequiredService<UploadFolder>().NewFile();
        try
        {
            string name;
            await using (var file = File.Create(buffer))
            {
                if (request.HasFormContentType)
                {
                    IFormCollection form;
                    try
                    {
                        form = await request.ReadFormAsync(cancellationToken);
                    }
                    catch (Exception e) when (e is InvalidDataException || (e is IOException && e is not BadHttpRequestException))
                    {
                        // A body over a limit stays Kestrel's 413; a body that is not multipart as its header says is the caller's error.
                        return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed upload",
                            detail: $"The multipart body cannot be read: {e.Message}");
                    }
                    if (form.Files.Count != 1)
                    {
                        return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "One file expected",
                            detail: $"A multipart upload carries exactly one CSV file; this one has {form.Files.Count}.");
                    }
                    name = form.Files[0].FileName;
                    await form.Files[0].CopyToAsync(file, cancellationToken);
                }
                else
                {
                    name = "request body";
                    await request.Body.CopyToAsync(file, cancellationToken);
                }
            }
            try
            {
                var summary = CsvImporter.Import(kind, store, buffer, rules, progress: null, cancellationToken);
                return TypedResults.Ok(View(summary, name));
            }
            catch (ImportRejectedException e)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "File rejected",
                    detail: e.Message.Replace(buffer, name, StringComparison.Ordinal));
            }
        }
        finally
        {
            File.Delete(buffer);
        }
    }

    private static ImportSummaryView View(ImportSummary summary, string name) => new(
        name, ImportSummary.KindName(summary.Kind), summary.RowsRead, summary.Imported, summary.Rejected,
        [.. summary.FirstRejections.Select(r => new RejectionView(r.Line, r.Reason))]);

    private static bool IsCsv(string? contentType) =>
        contentType?.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase) == true;
}
