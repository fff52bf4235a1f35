using System.Collections.Concurrent;
using System.Net;
using Storemon.Tests.Databases;

namespace Storemon.Tests.EndToEnd;

/// <summary>
/// The real service, with its own appsettings.json (the default limits and log levels), under a flood of
/// wrong API keys: after Access:FailedKeyLimit (20) it answers 429, and its console log stays small.
/// </summary>
public sealed partial class WrongKeyFloodTests() : DatabaseTest(DatabaseKind.Sqlite)
{
    private const string Key = "flood-test-key-0123456789";
    private const string WrongKey = "wrong-flood-key-0123456789";
    private const int Requests = 3000;
    private const int Parallel = 16;

    private static readonly (string Key, string Value)[] Keys =
        [("Access__Keys__0__Name", "operator"), ("Access__Keys__0__Key", Key), ("Access__Keys__0__Scopes__0", "admin")];

    [SkippableFact]
    public async Task A_burst_of_wrong_keys_gets_429_after_the_limit_and_adds_a_few_lines_to_the_log_not_one_per_request()
    {
        using var server = await ServerProcess.Start(Db.Connection, Keys);
        using var client = server.Client();
        client.DefaultRequestHeaders.Add("X-Api-Key", WrongKey);
        await Task.Delay(500);   // the start's own lines written
        var before = server.Output;

        var statuses = new ConcurrentBag<HttpStatusCode>();
        await System.Threading.Tasks.Parallel.ForAsync(0, Requests, new ParallelOptions { MaxDegreeOfParallelism = Parallel }, async (_, token) =>
        {
            using var response = await client.PostAsync("/trigger_report", null, token);
            statuses.Add(response.StatusCode);
        });
        using var right = new HttpClient { BaseAddress = server.Address };
        right.DefaultRequestHeaders.Add("X-Api-Key", Key);
        using var rightKey = await right.GetAsync("/reports");
        await Task.Delay(500);
        var written = server.Output[before.Length..];

        // 20 wrong keys are counted; requests already past the check when the 20th was counted may add a few.
        Assert.InRange(statuses.Count(s => s == HttpStatusCode.Unauthorized), 20, 20 + Parallel);
        Assert.Equal(Requests, statuses.Count(s => s is HttpStatusCode.Unauthorized or HttpStatusCode.TooManyRequests));
        Assert.Equal(HttpStatusCode.TooManyRequests, rightKey.StatusCode);
        // The simple console format writes a message as a line "<time>info: <category>[<event>]", its scopes' line and its text:
        // one message per wrong key counted, one for the refusal, none per refused request.
        var lines = written.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var messages = lines.Where(line => LogLevelPrefix().IsMatch(line)).ToList();
        Assert.InRange(messages.Count, 21, 21 + Parallel);
        Assert.Equal(messages.Count - 1, messages.Count(line => line.Contains("info: Storemon.Api.Limits.FailedKeys[", StringComparison.Ordinal)));
        Assert.Equal(messages.Count - 1, lines.Count(line => line.Trim() == "A wrong API key from 127.0.0.1: POST /trigger_report"));
        Assert.Single(lines, line => line.Trim() == "127.0.0.1 sent 20 wrong API keys within 00:01:00: its requests with a key are refused with 429 until the window ends, each without a log line");
        Assert.Equal(3 * messages.Count, lines.Length);
        Assert.InRange(written.Length, 1, 20_000);
        Assert.DoesNotContain(WrongKey, server.Output, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Behind_a_proxy_with_forwarded_headers_enabled_each_forwarded_client_is_counted_apart()
    {
        using var server = await ServerProcess.Start(Db.Connection, [.. Keys, ("ASPNETCORE_FORWARDEDHEADERS_ENABLED", "true"), ("Access__FailedKeyLimit", "3")]);
        async Task<HttpStatusCode> Send(string client, string key)
        {
            using var http = server.Client();
            http.DefaultRequestHeaders.Add("X-Forwarded-For", client);
            http.DefaultRequestHeaders.Add("X-Api-Key", key);
            using var response = await http.GetAsync("/reports");
            return response.StatusCode;
        }

        var guesses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            guesses.Add(await Send("203.0.113.7", WrongKey));
        }

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], guesses);
        Assert.Equal(HttpStatusCode.TooManyRequests, await Send("203.0.113.7", Key));
        Assert.Equal(HttpStatusCode.OK, await Send("198.51.100.4", Key));
        Assert.Contains("A wrong API key from 203.0.113.7: GET /reports", server.Output, StringComparison.Ordinal);
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[0-9T:.Z-]*(trce|dbug|info|warn|fail|crit): ")]
    private static partial System.Text.RegularExpressions.Regex LogLevelPrefix();
}
