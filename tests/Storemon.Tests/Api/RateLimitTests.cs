using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Storemon.Tests.Databases;

namespace Storemon.Tests.Api;

/// <summary>
/// The service's limits: wrong API keys per client address (then every request of that address with a
/// key is refused for the rest of the window), and triggers and ingestion per key. Each request names
/// its client address in <c>X-Forwarded-For</c>, which the service takes as the client's with
/// forwarded headers enabled, as behind a reverse proxy.
/// </summary>
public abstract class RateLimitTests(DatabaseKind kind) : ServiceTest(kind, [
    .. ServiceFactory.Keys(
        ("reader", ReaderKey, "reports:read"),
        ("writer", WriterKey, "reports:write"),
        ("other-writer", OtherWriterKey, "reports:write"),
        ("ingester", IngestKey, "ingest"),
        ("other-ingester", OtherIngestKey, "ingest"),
        ("operator", AdminKey, "admin")),
    .. Limits])
{
    private const string ReaderKey = "reader-key-0123456789";
    private const string WriterKey = "writer-key-0123456789";
    private const string OtherWriterKey = "writer-key-9876543210";
    private const string IngestKey = "ingest-key-0123456789";
    private const string OtherIngestKey = "ingest-key-9876543210";
    private const string AdminKey = "admin-key-0123456789";
    private const string WrongKey = "wrong-key-0123456789";

    private const string Attacker = "203.0.113.7";
    private const string Bystander = "198.51.100.4";

    private const int FailedKeyLimit = 5;
    private const int TriggerLimit = 3;
    private const int IngestionLimit = 2;

    private static readonly (string Key, string Value)[] Limits =
    [
        ("FORWARDEDHEADERS_ENABLED", "true"),
        ("Access:FailedKeyLimit", "5"),
        ("Access:FailedKeyWindow", "00:01:00"),
        ("Reports:TriggerLimit", "3"),
        ("Reports:TriggerWindow", "00:01:00"),
        ("Ingestion:RequestLimit", "2"),
        ("Ingestion:RequestWindow", "00:01:00"),
    ];

    private HttpClient From(string address, string? key = null, HttpClient? client = null)
    {
        client ??= Service.CreateClient();
        client.DefaultRequestHeaders.Add("X-Forwarded-For", address);
        if (key is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", key);
        }
        return client;
    }

    private static async Task<string?> AssertRefused(HttpResponseMessage response, string title, int window)
    {
        var detail = await response.AssertProblem(HttpStatusCode.TooManyRequests, title);
        var retryAfter = int.Parse(response.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, window);
        Assert.EndsWith($"Try again in {retryAfter} seconds.", detail, StringComparison.Ordinal);
        return detail;
    }

    [SkippableFact]
    public async Task After_N_wrong_keys_the_address_is_refused_with_429_even_with_the_right_key_and_no_other_address_is()
    {
        using var guesser = From(Attacker, WrongKey);
        for (var i = 0; i < FailedKeyLimit; i++)
        {
            using var wrong = await guesser.GetAsync("/reports");
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using var refused = await guesser.GetAsync("/reports");
        using var rightKey = await From(Attacker, ReaderKey).GetAsync("/reports");
        using var elsewhere = await From(Bystander, ReaderKey).GetAsync("/reports");
        using var health = await From(Attacker).GetAsync("/health");
        using var withoutKey = await From(Attacker).GetAsync("/reports");

        Assert.Equal("Your address sent 5 wrong API keys within 60 seconds: its requests with a key are refused for now, with a right key too. Try again in 60 seconds.",
            await AssertRefused(refused, "Too many wrong API keys", 60));
        await AssertRefused(rightKey, "Too many wrong API keys", 60);
        Assert.Equal(HttpStatusCode.OK, elsewhere.StatusCode);
        // A request without a key is not refused: it gets what it always got.
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("Send an API key in the X-Api-Key header.", await withoutKey.AssertProblem(HttpStatusCode.Unauthorized, "An API key is required"));
    }

    [SkippableFact]
    public async Task Once_the_window_has_passed_the_address_is_served_again()
    {
        using var service = new ServiceFactory(Db, [.. ServiceFactory.Keys(("reader", ReaderKey, "reports:read")),
            ("FORWARDEDHEADERS_ENABLED", "true"), ("Access:FailedKeyLimit", "2"), ("Access:FailedKeyWindow", "00:00:02")]);
        using var guesser = From(Attacker, WrongKey, service.CreateClient());
        using var reader = From(Attacker, ReaderKey, service.CreateClient());
        var started = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 2; i++)
        {
            using var wrong = await guesser.GetAsync("/reports");
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }
        using (var refused = await reader.GetAsync("/reports"))
        {
            await AssertRefused(refused, "Too many wrong API keys", 2);
        }

        // The window is 2 s from the first wrong key; the framework's timer lifts it within 0.1 s after.
        HttpStatusCode status;
        do
        {
            await Task.Delay(100);
            using var again = await reader.GetAsync("/reports");
            status = again.StatusCode;
        }
        while (status == HttpStatusCode.TooManyRequests && started.Elapsed < TimeSpan.FromSeconds(5));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.InRange(started.Elapsed, TimeSpan.FromSeconds(1.9), TimeSpan.FromSeconds(5));
    }

    [SkippableFact]
    public async Task The_sign_in_page_counts_wrong_keys_and_then_refuses_the_right_key_with_a_readable_page()
    {
        using var browser = From(Attacker, client: Service.Browser(keepsCookies: false));
        for (var i = 0; i < FailedKeyLimit; i++)
        {
            using var wrong = await browser.PostSignIn(WrongKey);
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            Assert.Contains("That key is not valid.", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using var refused = await browser.PostSignIn(AdminKey);
        using var header = await From(Attacker, AdminKey).GetAsync("/reports");
        using var elsewhere = await From(Bystander, client: Service.Browser(keepsCookies: false)).PostSignIn(AdminKey);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("60", refused.Headers.GetValues("Retry-After").Single());
        Assert.Equal("text/html", refused.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<p class=\"error\" role=\"alert\">Your address sent 5 wrong API keys within 60 seconds: its requests with a key are refused for now, with a right key too. Try again in 60 seconds.</p>",
            await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(refused.Headers.Contains("Set-Cookie") && refused.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith("storemon.session=", StringComparison.Ordinal)));
        // The sign-in page and the header share one count per address.
        await AssertRefused(header, "Too many wrong API keys", 60);
        Assert.Equal(HttpStatusCode.Redirect, elsewhere.StatusCode);
    }

    [SkippableFact]
    public async Task A_key_may_trigger_N_reports_in_a_window_and_the_next_is_refused_without_a_report_while_another_key_is_not()
    {
        using var writer = From(Attacker, WriterKey);
        await writer.TriggerReport();
        await writer.TriggerReport();
        using (var resource = await writer.PostAsJsonAsync("/reports", new { }))
        {
            Assert.Equal(HttpStatusCode.Accepted, resource.StatusCode);
        }

        using var refused = await writer.PostAsync("/trigger_report", null);
        using var refusedResource = await writer.PostAsJsonAsync("/reports", new { });
        var reports = Db.Count("report");
        var other = await From(Attacker, OtherWriterKey).TriggerReport();

        Assert.Equal("This API key may trigger 3 reports within 60 seconds (Reports:TriggerLimit, Reports:TriggerWindow), and has: this one was not started. Try again in 60 seconds.",
            await AssertRefused(refused, "Too many reports triggered", 60));
        await AssertRefused(refusedResource, "Too many reports triggered", 60);
        Assert.Equal(TriggerLimit, reports);
        Assert.NotEmpty(other);
        // A key's own reads are not limited.
        using var read = await From(Attacker, AdminKey).GetAsync("/reports");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
    }

    [SkippableFact]
    public async Task The_pages_trigger_form_takes_from_the_keys_limit_and_says_on_the_page_when_to_try_again()
    {
        using var browser = From(Attacker, client: Service.Browser(keepsCookies: false));
        var session = await browser.SignInToDashboard(AdminKey);
        Task<HttpResponseMessage> Trigger() => browser.PostTriggerForm(session);
        // The operator key's budget is shared by the form and the API.
        await From(Bystander, AdminKey).TriggerReport();
        for (var i = 1; i < TriggerLimit; i++)
        {
            using var triggered = await Trigger();
            Assert.StartsWith("/ui?triggered=", triggered.Headers.Location!.OriginalString, StringComparison.Ordinal);
        }

        using var refused = await Trigger();
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.Equal("/ui?wait=60", refused.Headers.Location!.OriginalString);
        using var page = new HttpRequestMessage(HttpMethod.Get, "/ui?wait=60");
        page.Headers.Add("Cookie", session);
        using var shown = await browser.SendAsync(page);

        Assert.Equal(HttpStatusCode.OK, shown.StatusCode);
        Assert.Contains("<p class=\"error\" role=\"alert\">Too many reports triggered with this key (Reports:TriggerLimit): the report was not started. Try again in 60 seconds.</p>",
            await shown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(TriggerLimit, Db.Count("report"));
    }

    [SkippableFact]
    public async Task A_key_may_send_N_ingestion_requests_in_a_window_and_the_next_imports_nothing_while_another_key_is_not_limited()
    {
        using var ingester = From(Attacker, IngestKey);
        (await ingester.PostPolls(("s1", "active", "2024-10-14 10:00:00 UTC"))).Dispose();
        (await ingester.PostCsv("/imports/timezones", "store_id,timezone_str\ns1,America/New_York\n")).Dispose();
        Assert.Equal(1, Db.Count("poll"));

        using var refused = await ingester.PostPolls(("s2", "active", "2024-10-14 10:00:00 UTC"));
        using var refusedImport = await ingester.PostCsv("/imports/status", "store_id,status,timestamp_utc\ns3,active,2024-10-14 10:00:00 UTC\n");
        var polls = Db.Count("poll");
        using var other = await From(Attacker, OtherIngestKey).PostPolls(("s4", "active", "2024-10-14 10:00:00 UTC"));

        Assert.Equal("This API key may send 2 requests to /polls and /imports within 60 seconds (Ingestion:RequestLimit, Ingestion:RequestWindow), and has: nothing of this one was imported. Try again in 60 seconds.",
            await AssertRefused(refused, "Too many ingestion requests", 60));
        await AssertRefused(refusedImport, "Too many ingestion requests", 60);
        Assert.Equal(1, polls);
        Assert.Equal(1, (await other.Summary()).GetProperty("imported").GetInt32());
        Assert.Equal(IngestionLimit, Db.Count("poll"));
    }

    [SkippableFact]
    public async Task Without_keys_the_trigger_limit_holds_per_client_address()
    {
        using var open = new ServiceFactory(Db, [("FORWARDEDHEADERS_ENABLED", "true"), ("Reports:TriggerLimit", "1")]);
        using var first = From(Attacker, client: open.CreateClient());

        await first.TriggerReport();
        using var refused = await first.PostAsync("/trigger_report", null);
        var other = await From(Bystander, client: open.CreateClient()).TriggerReport();

        Assert.StartsWith("Your address may trigger 1 report within 60 seconds", await AssertRefused(refused, "Too many reports triggered", 60), StringComparison.Ordinal);
        Assert.NotEmpty(other);
    }

    [SkippableFact]
    public async Task A_limit_of_0_turns_the_limit_off()
    {
        using var unlimited = new ServiceFactory(Db, [.. ServiceFactory.Keys(("reader", ReaderKey, "reports:read")),
            ("Access:FailedKeyLimit", "0")]);
        using var guesser = unlimited.CreateClient(WrongKey);

        for (var i = 0; i < 30; i++)
        {
            using var wrong = await guesser.GetAsync("/reports");
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }
    }

    [SkippableFact]
    public async Task Without_forwarded_headers_enabled_the_client_address_is_the_connections_and_X_Forwarded_For_is_ignored()
    {
        using var direct = new ServiceFactory(Db, [.. ServiceFactory.Keys(("reader", ReaderKey, "reports:read")), ("Access:FailedKeyLimit", "1")]);
        using (var wrong = await From(Attacker, WrongKey, direct.CreateClient()).GetAsync("/reports"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        // Another X-Forwarded-For does not make another client: both come through the same connection address.
        using var refused = await From(Bystander, ReaderKey, direct.CreateClient()).GetAsync("/reports");

        await AssertRefused(refused, "Too many wrong API keys", 60);
    }

    [SkippableFact]
    public async Task Each_wrong_key_logs_one_line_with_the_address_the_refusal_one_more_and_refused_requests_none()
    {
        var logs = new CapturedLogs();
        using var logged = Service.WithWebHostBuilder(builder => builder.ConfigureLogging(logging => logging.AddProvider(logs)));
        using var guesser = From(Attacker, WrongKey, logged.CreateClient());
        using (var first = await From(Bystander, ReaderKey, logged.CreateClient()).GetAsync("/reports"))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }
        var before = logs.Messages.Count;

        for (var i = 0; i < 3 * FailedKeyLimit; i++)
        {
            using var response = await guesser.PostAsync("/trigger_report", null);
        }

        // What the requests wrote (the background work of report jobs logs on its own).
        var written = logs.Messages.Skip(before).Where(m => !m.Category.StartsWith("Hangfire", StringComparison.Ordinal)
            && !m.Category.StartsWith("Storemon.Api.Reports", StringComparison.Ordinal)).ToList();
        Assert.Equal(FailedKeyLimit + 1, written.Count);
        Assert.All(written.Take(FailedKeyLimit), m => Assert.StartsWith($"A wrong API key from {Attacker}: POST /trigger_report ", m.Text, StringComparison.Ordinal));
        Assert.All(written.Take(FailedKeyLimit), m => Assert.Equal(LogLevel.Information, m.Level));
        Assert.StartsWith($"{Attacker} sent 5 wrong API keys within 00:01:00: its requests with a key are refused with 429 until the window ends, each without a log line ",
            written[^1].Text, StringComparison.Ordinal);
        Assert.Equal(LogLevel.Warning, written[^1].Level);
        Assert.All(written, m => Assert.Equal("Storemon.Api.Limits.FailedKeys", m.Category));
        Assert.All(written, m => Assert.Null(m.Exception));
        Assert.DoesNotContain(logs.Messages, m => m.Text.Contains(WrongKey, StringComparison.Ordinal));
    }

    [SkippableFact]
    public void A_negative_limit_or_an_empty_window_refuses_to_start()
    {
        using var negative = new ServiceFactory(Db, ("Access:FailedKeyLimit", "-1"));
        using var empty = new ServiceFactory(Db, ("Reports:TriggerWindow", "00:00:00"));

        Assert.Contains("Access:FailedKeyLimit must be 0 (no limit) or more, and Access:FailedKeyWindow positive.",
            Assert.Throws<OptionsValidationException>(() => negative.CreateClient()).Failures);
        Assert.Contains(Assert.Throws<OptionsValidationException>(() => empty.CreateClient()).Failures,
            failure => failure.Contains("TriggerWindow", StringComparison.Ordinal));
    }
}

public sealed class RateLimitTests_Sqlite() : RateLimitTests(DatabaseKind.Sqlite);

public sealed class RateLimitTests_Postgres() : RateLimitTests(DatabaseKind.Postgres);
