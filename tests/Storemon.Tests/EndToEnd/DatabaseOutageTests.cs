using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Storemon.Tests.Api;
using Storemon.Tests.Databases;
using Xunit.Abstractions;

namespace Storemon.Tests.EndToEnd;

/// <summary>
/// The real service over a PostgreSQL server of the test's own, which is stopped (a fast shutdown, as an
/// operator's restart does) while a report runs, and started again: meanwhile every request that needs
/// the database is a 503 that says to come back later; afterwards the service answers by itself and the
/// report that was cut off completes within seconds, long before its heartbeat is stale.
/// </summary>
/// <remarks>
/// A server of its own, not the run's shared one, which the tests beside this one use. Run alone: the
/// test measures how soon the report completes after the restart, which tests beside it on a small
/// machine would stretch.
/// </remarks>
[Collection(RunAlone.Name)]
public sealed class DatabaseOutageTests(ITestOutputHelper log) : IDisposable
{
    // Generous: the machine is small and shared, and the service's job server backs off while the
    // database is down.
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    // Far longer than the test: the report is run again because the database answers, not because its
    // heartbeat went stale (which the recovery would have found after ten minutes).
    private const string StaleAfter = "00:10:00";

    // How soon after the database is back the report must be complete: a few tries of the run's (two
    // seconds apart at most) and the report itself, with room for a small, shared machine.
    private static readonly TimeSpan CompleteAfterRestart = TimeSpan.FromSeconds(30);

    private readonly ThrowawayPostgres _postgres = ThrowawayPostgres.Start();
    private ServerProcess? _service;

    public void Dispose()
    {
        _service?.Dispose();
        _postgres.Dispose();
    }

    [Fact]
    public async Task While_the_database_is_down_requests_are_503_with_Retry_After_and_a_running_report_completes_once_it_is_back()
    {
        _service = await ServerProcess.Start(_postgres.ConnectionString, ("Reports__StaleAfter", StaleAfter));
        using var client = _service.Client();
        var imported = await (await client.PostPolls(
            ("store-a", "active", "2023-01-25T10:00:00Z"), ("store-a", "inactive", "2023-01-25T11:00:00Z"),
            ("store-b", "active", "2023-01-25T10:30:00Z"), ("store-c", "inactive", "2023-01-25T11:30:00Z"))).Summary();
        Assert.Equal(4, imported.GetProperty("imported").GetInt32());

        // The report is claimed (Running, attempt 1) and then waits for the polls, which the test holds
        // locked: the database goes away under a report that is running.
        string id;
        int attempt;
        // Not pooled: the connection dies with the server, and nothing of it is to be kept.
        await using (var holder = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_postgres.ConnectionString) { Pooling = false }.ConnectionString))
        {
            await holder.OpenAsync();
            await using var transaction = await holder.BeginTransactionAsync();
            await using (var lockPolls = new NpgsqlCommand("LOCK TABLE poll_latest, poll IN ACCESS EXCLUSIVE MODE", holder, transaction))
            {
                await lockPolls.ExecuteNonQueryAsync();
            }
            id = await client.TriggerReport();
            var running = await WaitFor(client, id, report => report.GetProperty("status").GetString() == "Running", "Running");
            attempt = running.GetProperty("attempts").GetInt32();
            Assert.Equal(1, attempt);

            _postgres.Halt();
        }
        log.WriteLine($"PostgreSQL stopped under report {id}, attempt {attempt}");

        // The report's run stops without failing it, and the service says why.
        await WaitForOutput($"Report {id} (attempt {attempt}) stopped on", "the report's run to stop");
        Assert.Contains("the database does not answer", _service.Output, StringComparison.Ordinal);

        await AssertUnavailable(await client.GetAsync("/reports"));
        await AssertUnavailable(await client.GetAsync($"/reports/{id}"));
        await AssertUnavailable(await client.GetAsync($"/get_report?report_id={id}"));
        await AssertUnavailable(await client.PostAsync("/trigger_report", null));
        await AssertUnavailable(await client.PostPolls(("store-a", "active", "2023-01-25T12:00:00Z")));
        // The health check stays what it is for a load balancer: 503, "Unhealthy", and says which part.
        var health = await HealthAnswer.Get(client);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.Code);
        Assert.Equal("Unhealthy", health.Status);
        Assert.Equal("Unhealthy", health["database"].Status);
        Assert.Equal("The database cannot be used: it does not answer.", health["database"].Description);
        // The recovery looks for stale reports meanwhile, fails, and tries again later.
        await WaitForOutput("Report recovery failed; trying again later", "the recovery to run while the database is down");

        _postgres.Resume();
        var restarted = Stopwatch.StartNew();
        log.WriteLine("PostgreSQL started again");

        var finished = await WaitFor(client, id, report => report.GetProperty("status").GetString() is "Complete" or "Failed", "finished");
        Assert.True(restarted.Elapsed < CompleteAfterRestart,
            $"The report completed {restarted.Elapsed.TotalSeconds:F1} s after the database was back. The service's output:\n{_service.Output}");
        Assert.Contains($"Report {id}: the database answers again after", _service.Output, StringComparison.Ordinal);
        Assert.Equal("Complete", finished.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, finished.GetProperty("error").ValueKind);
        Assert.Equal(attempt + 1, finished.GetProperty("attempts").GetInt32());
        Assert.Equal(3, finished.GetProperty("row_count").GetInt32());
        // The poll refused while the database was down was not written: the report is of the first four.
        Assert.Equal(4, finished.GetProperty("provenance").GetProperty("polls").GetInt64());

        // Everything answers again, new reports included.
        using (var list = await client.GetAsync("/reports"))
        {
            Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        }
        var csv = ServiceCalls.CsvOf(await WaitFor(client, await client.TriggerReport(),
            report => report.GetProperty("status").GetString() is "Complete" or "Failed", "finished", path: "/get_report?report_id="));
        Assert.StartsWith("store_id,", csv, StringComparison.Ordinal);
        Assert.Equal(4, csv.Count(c => c == '\n'));
        await WaitUntilHealthy(client);
    }

    /// <summary>
    /// A 503 ProblemDetails that says the database is unavailable and when to try again, and nothing of
    /// the exception: not its type, nor the server's address, nor the connection's settings.
    /// </summary>
    private async Task AssertUnavailable(HttpResponseMessage response)
    {
        using var _ = response;
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable,
            $"{response.RequestMessage!.Method} {response.RequestMessage.RequestUri!.PathAndQuery} answered {(int)response.StatusCode}: {body}");
        var detail = await response.AssertProblem(HttpStatusCode.ServiceUnavailable, "Database unavailable");
        Assert.Equal("The service's database does not answer at the moment (it may be restarting). Try again in 5 seconds.", detail);
        Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
        var port = new NpgsqlConnectionStringBuilder(_postgres.ConnectionString).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var secret in new[] { "Exception", "Npgsql", "Socket", "127.0.0.1", port, "Host=", "   at " })
        {
            Assert.DoesNotContain(secret, body, StringComparison.Ordinal);
        }
    }

    /// <summary>Polls the report (as a resource, or through <paramref name="path"/>) until <paramref name="done"/>; 503s meanwhile are waited out.</summary>
    private async Task<JsonElement> WaitFor(HttpClient client, string id, Func<JsonElement, bool> done, string what, string path = "/reports/")
    {
        var waited = Stopwatch.StartNew();
        var last = "";
        while (waited.Elapsed < Timeout)
        {
            using var response = await client.GetAsync(path + id);
            last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var report = await response.Content.ReadFromJsonAsync<JsonElement>();
                if (done(report))
                {
                    log.WriteLine($"report {id} {what} after {waited.Elapsed.TotalSeconds:F1} s");
                    return report;
                }
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"Report {id} was not {what} in {Timeout.TotalSeconds} s; last answer: {last}. The service's output:\n{_service!.Output}");
    }

    private async Task WaitForOutput(string text, string what)
    {
        var waited = Stopwatch.StartNew();
        while (!_service!.Output.Contains(text, StringComparison.Ordinal))
        {
            if (waited.Elapsed > Timeout)
            {
                throw new TimeoutException($"Waited {Timeout.TotalSeconds} s for {what}. The service's output:\n{_service.Output}");
            }
            await Task.Delay(100);
        }
    }

    private async Task WaitUntilHealthy(HttpClient client)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            using var health = await client.GetAsync("/health");
            if (health.StatusCode == HttpStatusCode.OK)
            {
                return;
            }
            if (waited.Elapsed > Timeout)
            {
                throw new TimeoutException($"/health did not answer 200 in {Timeout.TotalSeconds} s after the restart. The service's output:\n{_service!.Output}");
            }
            await Task.Delay(100);
        }
    }
}
