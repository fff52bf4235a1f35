using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Storemon.Tests.Databases;

namespace Storemon.Tests.Api;

/// <summary>API keys with scopes, through ASP.NET Core's authentication and authorization.</summary>
public abstract class AccessTests(DatabaseKind kind) : ServiceTest(kind, ServiceFactory.Keys(
    ("reader", ReaderKey, "reports:read"),
    ("writer", WriterKey, "reports:write"),
    ("ingester", IngestKey, "ingest"),
    ("operator", AdminKey, "admin")))
{
    private const string ReaderKey = "reader-key-0123456789";
    private const string WriterKey = "writer-key-0123456789";
    private const string IngestKey = "ingest-key-0123456789";
    private const string AdminKey = "admin-key-0123456789";

    private const string UnauthorizedTitle = "An API key is required";
    private const string ForbiddenTitle = "The API key lacks the scope";

    // A body each endpoint accepts: an empty JSON object for the reports, an empty status CSV for ingestion.
    private static HttpRequestMessage Request(string method, string path) => new(new HttpMethod(method), path)
    {
        Content = method != "POST" ? null
            : path.StartsWith("/imports", StringComparison.Ordinal) || path == "/polls"
                ? new StringContent("store_id,status,timestamp_utc\n", System.Text.Encoding.UTF8, "text/csv")
                : new StringContent("{}", System.Text.Encoding.UTF8, "application/json"),
    };

    // Every endpoint but /health and the API reference, with the scope it needs.
    public static TheoryData<string, string, string> Endpoints => new()
    {
        { "POST", "/trigger_report", "reports:write" },
        { "GET", "/get_report?report_id=x", "reports:read" },
        { "POST", "/reports", "reports:write" },
        { "GET", "/reports", "reports:read" },
        { "GET", "/reports/x", "reports:read" },
        { "GET", "/reports/x/csv", "reports:read" },
        { "GET", "/reports/x/stores/s/timeline", "reports:read" },
        { "POST", "/polls", "ingest" },
        { "POST", "/imports/status", "ingest" },
        { "POST", "/imports/hours", "ingest" },
        { "POST", "/imports/timezones", "ingest" },
        { "GET", "/jobs", "admin" },
        { "GET", "/jobs/stats", "admin" },
    };

    [SkippableTheory]
    [MemberData(nameof(Endpoints))]
    public async Task Each_endpoint_answers_401_without_a_key_403_without_its_scope_and_serves_its_scope_and_admin(string method, string path, string scope)
    {
        using var anonymous = Request(method, path);
        using var missing = await Client.SendAsync(anonymous);
        Assert.Equal("Send an API key in the X-Api-Key header.", await missing.AssertProblem(HttpStatusCode.Unauthorized, UnauthorizedTitle));
        Assert.Equal("ApiKey header=\"X-Api-Key\"", missing.Headers.WwwAuthenticate.Single().ToString());

        foreach (var (key, keyScope) in new[] { (ReaderKey, "reports:read"), (WriterKey, "reports:write"), (IngestKey, "ingest"), (AdminKey, "admin") })
        {
            using var client = Service.CreateClient(key);
            using var request = Request(method, path);
            using var response = await client.SendAsync(request);
            if (keyScope == scope || keyScope == "admin")
            {
                // Served: the answer is the endpoint's own (the unknown report "x" is its 404).
                Assert.NotEqual(HttpStatusCode.Unauthorized, response.StatusCode);
                Assert.NotEqual(HttpStatusCode.Forbidden, response.StatusCode);
            }
            else
            {
                Assert.Equal("This API key may not do this: it lacks the scope the endpoint requires.",
                    await response.AssertProblem(HttpStatusCode.Forbidden, ForbiddenTitle));
            }
        }
    }

    [SkippableFact]
    public async Task A_wrong_key_is_a_401_problem_saying_the_key_is_not_valid()
    {
        using var client = Service.CreateClient("not-a-configured-key-at-all");

        using var response = await client.PostAsync("/trigger_report", null);

        Assert.Equal("The API key is not valid.", await response.AssertProblem(HttpStatusCode.Unauthorized, UnauthorizedTitle));
        Assert.Equal(0, Db.Count("report"));
    }

    [SkippableFact]
    public async Task A_key_that_differs_from_a_configured_one_only_in_case_is_not_valid()
    {
        using var client = Service.CreateClient(AdminKey.ToUpperInvariant());

        using var response = await client.GetAsync("/reports");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [SkippableTheory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData(IngestKey, HttpStatusCode.Forbidden)]
    public async Task A_request_for_the_csv_file_refused_for_its_key_is_a_401_or_403_problem_not_a_server_error(string? key, HttpStatusCode status)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/get_report?report_id=x");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        if (key is not null)
        {
            request.Headers.Add("X-Api-Key", key);
        }

        using var response = await Client.SendAsync(request);

        await response.AssertProblem(status, key is null ? UnauthorizedTitle : ForbiddenTitle);
    }

    [SkippableFact]
    public async Task The_admin_key_triggers_reads_and_ingests()
    {
        using var client = Service.CreateClient(AdminKey);

        await client.PostPolls(("s1", "active", "2024-10-14 10:00:00 UTC"));
        var csv = await client.CompleteReport();

        Assert.EndsWith("s1,60.00,24.00,168.00,0.00,0.00,0.00\n", csv, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Health_and_the_api_reference_need_no_key()
    {
        var health = await HealthAnswer.Get(Client);
        using var openApi = await Client.GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, health.Code);
        Assert.Equal("Healthy", health.Status);
        Assert.Equal(HttpStatusCode.OK, openApi.StatusCode);
    }

    [SkippableFact]
    public async Task Without_configured_keys_the_service_is_open_to_requests_without_a_key()
    {
        using var open = new ServiceFactory(Kind);
        using var client = open.CreateClient();

        await client.PostPolls(("s1", "inactive", "2024-10-14 10:00:00 UTC"));
        var csv = await client.CompleteReport();
        using var dashboard = await client.GetAsync("/jobs");

        Assert.EndsWith("s1,0.00,0.00,0.00,60.00,24.00,168.00\n", csv, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
    }

    [SkippableFact]
    public async Task Without_configured_keys_the_service_warns_loudly_at_start()
    {
        var logs = new CapturedLogs();
        using var service = new ServiceFactory(Kind);
        using var open = service.WithWebHostBuilder(builder => builder.ConfigureLogging(logging => logging.AddProvider(logs)));

        using var health = await open.CreateClient().GetAsync("/health");

        Assert.Contains(logs.Messages, m => m.Level == LogLevel.Warning && m.Text.StartsWith("NO API KEY IS CONFIGURED", StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task Neither_a_valid_nor_a_wrong_key_appears_in_any_log_message()
    {
        var logs = new CapturedLogs();
        using var logged = Service.WithWebHostBuilder(builder => builder
            .UseSetting("Logging:LogLevel:Default", "Trace")
            .UseSetting("Logging:LogLevel:Microsoft.AspNetCore", "Trace")
            .ConfigureLogging(logging => logging.AddProvider(logs)));
        const string wrongKey = "wrong-key-9876543210";

        foreach (var key in new[] { ReaderKey, AdminKey, wrongKey })
        {
            using var client = logged.CreateClient();
            client.DefaultRequestHeaders.Add("X-Api-Key", key);
            using var response = await client.PostAsync("/trigger_report", null);
        }

        // The requests and the refusal of the wrong key were logged, with everything at Trace...
        Assert.Contains(logs.Messages, m => m.Text.StartsWith("A wrong API key from unknown: POST /trigger_report", StringComparison.Ordinal));
        // ...and no key is in any of it.
        Assert.DoesNotContain(logs.Messages, m => m.Text.Contains(ReaderKey, StringComparison.Ordinal)
            || m.Text.Contains(AdminKey, StringComparison.Ordinal) || m.Text.Contains(wrongKey, StringComparison.Ordinal));
    }

    [SkippableFact]
    public void Requiring_keys_without_any_configured_refuses_to_start()
    {
        using var strict = new ServiceFactory(Kind, ("Access:RequireKeys", "true"));

        var refused = Assert.Throws<OptionsValidationException>(() => strict.CreateClient());

        Assert.Contains("Access:RequireKeys is set but no key is configured under Access:Keys.", refused.Failures);
    }

    [SkippableFact]
    public void A_key_shorter_than_16_characters_refuses_to_start()
    {
        using var weak = new ServiceFactory(Kind, ServiceFactory.Keys(("ops", "short-key", "admin")));

        var refused = Assert.Throws<OptionsValidationException>(() => weak.CreateClient());

        Assert.Contains("Every key under Access:Keys needs a Name and a Key of at least 16 characters.", refused.Failures);
    }

    [SkippableFact]
    public void An_unknown_scope_refuses_to_start()
    {
        using var misspelt = new ServiceFactory(Kind, ServiceFactory.Keys(("ops", "0123456789abcdef0123", "reports:delete")));

        var refused = Assert.Throws<OptionsValidationException>(() => misspelt.CreateClient());

        Assert.Contains("Every scope under Access:Keys must be one of: reports:read, reports:write, ingest, admin.", refused.Failures);
    }
}

public sealed class AccessTests_Sqlite() : AccessTests(DatabaseKind.Sqlite);

public sealed class AccessTests_Postgres() : AccessTests(DatabaseKind.Postgres);
