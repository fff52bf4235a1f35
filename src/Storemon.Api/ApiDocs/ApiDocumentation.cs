using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.OpenApi;
using Scalar.AspNetCore;
using Storemon.Api.Access;
using Storemon.Api.Limits;
using Storemon.Api.Ingestion;
using Storemon.Api.Storage;
using Storemon.Reports;

namespace Storemon.Api.ApiDocs;

/// <summary>
/// The OpenAPI document (<c>/openapi/v1.json</c>) and its reference page (<c>/scalar</c>), both
/// anonymous. The document is built from the endpoints' own metadata; the transformers here add what
/// that metadata cannot say. A copy is checked in as <c>src/Storemon.Api/openapi/v1.json</c>, and a
/// test fails when it differs from what the service serves.
/// </summary>
internal static class ApiDocumentation
{
    public const string DocumentName = "v1";
    public const string SecuritySchemeName = "ApiKey";
    public const string CsvMediaType = "text/csv";

    private const string ServiceDescription = """
        storemon computes, for every store, its uptime and downtime **within business hours** over
        the last hour, day and week, extrapolated from the polls, as a CSV report.

        **The round trip.** Import business hours, time zones and polls (`/imports/hours`,
        `/imports/timezones`, `/imports/status`, or `/polls` as they arrive); start a report
        (`POST /trigger_report`); call `GET /get_report?report_id=…` until its `status` is `Complete`
        (or `Failed`); take the CSV from its `csv` field, or download it from `/reports/{id}/csv`.
        `/reports` offers the same reports as resources, with their timings and a list.

        **Access.** Send an API key in the `X-Api-Key` header. Each operation names the scope its key
        needs (`reports:read`, `reports:write` or `ingest`; a key with `admin` may do everything). A
        service with no key configured runs open and needs no header.

        **Errors** are `application/problem+json` (RFC 9457): a `title` that names the problem and a
        `detail` that says what to change. While the database does not answer (a restart, say), every
        operation answers 503 with a `Retry-After` header (seconds): the same request works once it is back.

        **Limits.** After too many wrong API keys from one client address (20 a minute by default), its
        requests with a key answer 429 until the minute ends, a right key too; triggers (30 a minute) and
        ingestion (20000 a minute) are limited per key. A 429 has a `Retry-After` header (seconds).

        Outside this document: `GET /health` (anonymous; JSON with the overall `status`, `Healthy`,
        `Degraded` or `Unhealthy`, and each part's `name`, `status` and `description`; 503 when
        unhealthy) and the job dashboard at `/jobs` (scope `admin`).
        """;

    public static WebApplicationBuilder AddApiDocumentation(this WebApplicationBuilder builder)
    {
        builder.Services.AddOpenApi(DocumentName, options =>
        {
            options.AddDocumentTransformer(DescribeService);
            options.AddOperationTransformer(DescribeDatabaseOutage);
            options.AddOperationTransformer(DescribeLimits);
            options.AddOperationTransformer(DescribeAccess);
            options.AddOperationTransformer(DescribeCsvBodies);
            options.AddSchemaTransformer(NumbersAsWritten);
        });
        return builder;
    }

    public static WebApplication MapApiDocumentation(this WebApplication app)
    {
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference(options => options
                .WithTitle("storemon API reference")
                .AddPreferredSecuritySchemes(SecuritySchemeName)
                .DisableTelemetry())
            .AllowAnonymous();
        return app;
    }

    private static Task DescribeService(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo { Title = "storemon", Version = DocumentName, Description = ServiceDescription };
        // Without servers a client calls the host it read the document from; the framework's default
        // (the request's own address) would also make the checked-in copy depend on who fetched it.
        document.Servers = [];
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[SecuritySchemeName] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = AccessSetup.HeaderName,
            Description = "A key configured under Access:Keys. Its scopes decide what it may call; admin may call everything.",
        };
        return Task.CompletedTask;
    }

    /// <summary>
    /// Says which operations need a key, with which scope, from the authorization the endpoint
    /// really requires (its policies are the scopes), and adds the 401 and 403 such an operation answers.
    /// </summary>
    private static async Task DescribeAccess(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        if (metadata.OfType<IAllowAnonymous>().Any())
        {
            return;
        }
        // No policy named: the fallback policy, a key of any scope.
        List<string> scopes = [.. metadata.OfType<IAuthorizeData>().Select(data => data.Policy).OfType<string>().Distinct(StringComparer.Ordinal)];
        var document = context.Document!;
        operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SecuritySchemeName, document)] = scopes }];

        var problem = await ProblemSchema(context, cancellationToken);
        var responses = operation.Responses ??= [];
        responses.TryAdd("401", ProblemResponse(problem, $"No API key in the {AccessSetup.HeaderName} header, or one that is not configured (only when keys are configured)."));
        if (scopes.Count > 0)
        {
            responses.TryAdd("403", ProblemResponse(problem, $"The API key lacks the scope {string.Join(", ", scopes)} (or admin)."));
        }
        // Responses in the order of their status codes, as a reader looks them up.
        var sorted = responses.OrderBy(pair => pair.Key, StringComparer.Ordinal).ToList();
        responses.Clear();
        foreach (var (status, response) in sorted)
        {
            responses.Add(status, response);
        }
    }

    /// <summary>
    /// Every operation reads or writes the database, and answers 503 with <c>Retry-After</c> while it does
    /// not answer (<see cref="DatabaseOutage"/>). Before <see cref="DescribeAccess"/>, which orders the responses.
    /// </summary>
    private static async Task DescribeDatabaseOutage(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var unavailable = ProblemResponse(await ProblemSchema(context, cancellationToken),
            "The database does not answer (it may be restarting): try again after the seconds of Retry-After.");
        unavailable.Headers = RetryAfter($"Seconds to wait before trying again ({DatabaseOutage.RetryAfterSeconds}).");
        (operation.Responses ??= []).TryAdd("503", unavailable);
    }

    /// <summary>
    /// The 429 of the limits (Limits/): an operation that takes a key is refused while the caller's address
    /// sent too many wrong keys; one with a per-key limit (triggers, ingestion) also once its key reached it.
    /// Before <see cref="DescribeAccess"/>, which orders the responses.
    /// </summary>
    private static async Task DescribeLimits(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        if (metadata.OfType<IAllowAnonymous>().Any())
        {
            return;
        }
        var limit = metadata.OfType<EnableRateLimitingAttribute>().FirstOrDefault()?.PolicyName switch
        {
            KeyLimits.Triggers => FormattableString.Invariant(
                $"; or the key triggered Reports:TriggerLimit reports ({new ReportOptions().TriggerLimit} by default) within Reports:TriggerWindow ({new ReportOptions().TriggerWindow})"),
            KeyLimits.Ingestion => FormattableString.Invariant(
                $"; or the key sent Ingestion:RequestLimit requests to /polls and /imports ({new IngestionOptions().RequestLimit} by default) within Ingestion:RequestWindow ({new IngestionOptions().RequestWindow})"),
            _ => "",
        };
        var refused = ProblemResponse(await ProblemSchema(context, cancellationToken),
            FormattableString.Invariant($"Too many requests: the caller's address sent Access:FailedKeyLimit wrong API keys ({new AccessOptions().FailedKeyLimit} by default) within Access:FailedKeyWindow ({new AccessOptions().FailedKeyWindow}), and its requests with a key, a right one too, are refused until that window ends{limit}. Nothing was done: try again after the seconds of Retry-After."));
        refused.Headers = RetryAfter("Seconds to wait before trying again: at most the limit's window.");
        (operation.Responses ??= []).TryAdd("429", refused);
    }

    private static Dictionary<string, IOpenApiHeader> RetryAfter(string description) => new()
    {
        ["Retry-After"] = new OpenApiHeader { Description = description, Schema = new OpenApiSchema { Type = JsonSchemaType.Integer } },
    };

    /// <summary>The same component the endpoints' ProducesProblem responses refer to (added if none does).</summary>
    private static async Task<IOpenApiSchema> ProblemSchema(OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var document = context.Document!;
        document.AddComponent(nameof(ProblemDetails), await context.GetOrCreateSchemaAsync(typeof(ProblemDetails), cancellationToken: cancellationToken));
        return new OpenApiSchemaReference(nameof(ProblemDetails), document);
    }

    private static OpenApiResponse ProblemResponse(IOpenApiSchema problem, string description) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = new() { Schema = problem } },
    };

    /// <summary>
    /// CSV in this API is always text with a header row, and a multipart upload is always one CSV
    /// file; endpoint metadata can give a body only one type for all its media types, so the CSV
    /// forms are described here.
    /// </summary>
    private static Task DescribeCsvBodies(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        foreach (var content in (operation.RequestBody?.Content ?? new Dictionary<string, OpenApiMediaType>())
                     .Concat((operation.Responses ?? []).Values.SelectMany(response => response.Content ?? new Dictionary<string, OpenApiMediaType>())))
        {
            if (content.Key == CsvMediaType)
            {
                content.Value.Schema = new OpenApiSchema { Type = JsonSchemaType.String, Description = "CSV text with a header row (RFC 4180, UTF-8)." };
            }
            else if (content.Key == "multipart/form-data")
            {
                content.Value.Schema = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Required = new HashSet<string> { "file" },
                    Properties = new Dictionary<string, IOpenApiSchema>
                    {
                        ["file"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary", Description = "The CSV file: exactly one file part (its field name is not checked)." },
                    },
                };
            }
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// The web JSON defaults also read numbers written as strings, so the generated schema of every
    /// integer or decimal says "number or string matching a pattern". The service writes numbers, and no
    /// request body here carries one, so the document says integer or number.
    /// </summary>
    private static Task NumbersAsWritten(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (schema.Type is { } type && (type.HasFlag(JsonSchemaType.Integer) || type.HasFlag(JsonSchemaType.Number)) && type.HasFlag(JsonSchemaType.String))
        {
            schema.Type = type & ~JsonSchemaType.String;
            schema.Pattern = null;
        }
        return Task.CompletedTask;
    }
}
