using System.Net;
using System.Net.Http.Headers;
using Storemon.Tests.Api;
using Storemon.Tests.Databases;

namespace Storemon.Tests.EndToEnd;

/// <summary>
/// The first start of a deployment: several service processes started at the same moment over a new
/// PostgreSQL database (its schema made, as by an import, its key ring empty) make one session key
/// between them, and a dashboard session started on one is valid on every other.
/// </summary>
public sealed class NodesStartedTogetherTests
{
    private const string AdminKey = "admin-key-0123456789";

    private static readonly (string Key, string Value)[] Settings =
    [
        ("Access__Keys__0__Name", "operator"),
        ("Access__Keys__0__Key", AdminKey),
        ("Access__Keys__0__Scopes__0", "admin"),
    ];

    // Without the key ring's lock at start, 4 of 8 such starts of three processes made two or three keys.
    [SkippableFact]
    public async Task Services_started_together_over_a_new_database_make_one_session_key_and_share_its_sessions()
    {
        using var database = TestDatabase.Create(DatabaseKind.Postgres);
        database.Store.Migrate();

        var nodes = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => ServerProcess.Start(database.Connection, Settings)));
        try
        {
            Assert.Equal(1, database.Count("data_protection_key"));

            string cookie;
            using (var first = Browser(nodes[0]))
            {
                cookie = await first.SignInToDashboard(AdminKey);
            }
            foreach (var node in nodes[1..])
            {
                using var browser = Browser(node);
                using var dashboard = await browser.GetDashboard(cookie);
                Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
            }
            Assert.Equal(1, database.Count("data_protection_key"));
        }
        finally
        {
            foreach (var node in nodes)
            {
                node.Dispose();
            }
        }
    }

    // Like a browser (asks for HTML), with cookies sent by hand and redirects left to be seen.
    private static HttpClient Browser(ServerProcess node)
    {
        var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = node.Address, Timeout = TimeSpan.FromSeconds(30) };
        browser.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));
        return browser;
    }
}
