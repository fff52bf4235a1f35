using Storemon.Api.Access;
using Storemon.Api.ApiDocs;
using Storemon.Api.Health;
using Storemon.Api.Ingestion;
using Storemon.Api.Limits;
using Storemon.Api.Reports;
using Storemon.Api.Storage;
using Storemon.Api.Ui;

// storemon's HTTP service: the task's trigger_report / get_report, report resources, live ingestion.
// The content root is where the service's files are (appsettings.json), wherever it is started from.
UnusableDatabaseException.EndTheProcessQuietly();   // a database that cannot be used: one line naming it, exit code 1
var webOptions = new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory };
var builder = WebApplication.CreateBuilder(webOptions);
var role = DatabaseSetup.Role(builder.Configuration);   // Storemon:Role: All (default), Api or Worker

if (role == ProcessRole.Worker)
{
    // A worker runs report jobs from the shared queue and serves no HTTP.
    var worker = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = webOptions.ContentRootPath });
    worker.AddStoremonDatabase();
    worker.AddReportJobs(runsJobs: true);
    worker.Build().Run();
    return;
}

builder.AddStoremonDatabase();   // Storemon:Database: a SQLite file by default, or PostgreSQL
builder.AddReportJobs(runsJobs: role == ProcessRole.All);   // Hangfire: durable report jobs, workers, retention
builder.AddApiKeyAccess();       // Access:Keys with scopes; open with a warning when none are set
builder.AddFailedKeyLimit();     // Access:FailedKeyLimit: an address that sent too many wrong keys is refused (429) for a while
builder.AddKeyLimits();          // Reports:TriggerLimit, Ingestion:RequestLimit: how often one key may trigger reports and ingest
builder.AddBrowserSessions();    // people in a browser: sign in once at /ui/login with a key, a session cookie for /ui and /jobs
builder.AddSessionKeys();        // the keys of those sessions in the database: valid on every API node, across restarts
builder.AddPages();              // /ui: the reports and each store's week, for people, rendered here
builder.AddIngestionLimits();    // Ingestion: request size limits
builder.AddDiskFullProblems();   // a full disk (the database's or the upload buffer's) answers 507
builder.AddRefusedRequests();    // a body over its limit (413) or cut short (400): its ProblemDetails and one log line, no stack trace
builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
{
    // Kestrel's message says which limit was hit ("The max request body size is 400 bytes.").
    if (context.Exception is BadHttpRequestException bad)
    {
        context.ProblemDetails.Detail ??= bad.Message;
    }
    DatabaseOutage.Describe(context);   // a database that does not answer: 503 and when to try again
});
builder.Services.ConfigureHttpJsonOptions(options => options.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower);
builder.AddApiDocumentation();   // /openapi/v1.json and the /scalar reference page
builder.AddStoremonHealth();       // /health: the database, its writes and the job server, each with what is wrong

var app = builder.Build();

// A request over its size limit is a 413, a malformed one a 400, one the database does not answer a
// 503 (Storage/DatabaseOutage.cs): all as ProblemDetails.
app.UseExceptionHandler(new ExceptionHandlerOptions
{
    StatusCodeSelector = exception => exception is BadHttpRequestException bad
        ? bad.StatusCode
        : DatabaseOutage.StatusCode(exception, otherwise: StatusCodes.Status500InternalServerError),
});
app.UseStatusCodePages();
app.UseFrameGuard();             // no page of the service in another site's frame
app.UseFailedKeyLimit();         // before authentication: refusing an address costs no key hashing
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();            // after authorization: the limits are per key, and a refused key takes no permit

app.MapApiDocumentation();
app.MapHealth();
app.MapReports();
app.MapIngestion();
app.MapJobDashboard();
app.MapPages();

app.Run();

/// <summary>The entry point, visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
