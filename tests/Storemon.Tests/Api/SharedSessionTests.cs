using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Storemon.Tests.Databases;

namespace Storemon.Tests.Api;

/// <summary>
/// A dashboard session is valid on every service over the same database, and only there: the keys that
/// protect its cookie are the database's, not the process's nor the home folder's. On PostgreSQL the
/// services are API nodes (Storemon:Role=Api), as behind a load balancer.
/// </summary>
public abstract class SharedSessionTests(DatabaseKind kind) : DatabaseTest(kind)
{
    private const string AdminKey = "admin-key-0123456789";

    private (string Key, string Value)[] NodeSettings =>
    [
        .. ServiceFactory.Keys(("operator", AdminKey, "admin")),
        .. Db.Kind == DatabaseKind.Postgres ? [("Storemon:Role", "Api")] : Array.Empty<(string, string)>(),
    ];

    private ServiceFactory Node(TestDatabase database) => new(database, NodeSettings);

    private const string KeysTable = "data_protection_key";

    [SkippableFact]
    public async Task A_session_started_on_one_node_opens_the_dashboard_on_another_node_over_the_same_database()
    {
        using var first = Node(Db);
        var cookie = await first.SignInToDashboard(AdminKey);
        var keysAfterSignIn = Db.Count(KeysTable);
        using var second = Node(Db);

        var (status, _, page) = await Dashboard(second, cookie, asBrowser: true);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("Hangfire Dashboard", page, StringComparison.Ordinal);
        // One key, made by the first node; the second read it and made none of its own.
        Assert.Equal(1, keysAfterSignIn);
        Assert.Equal(1, Db.Count(KeysTable));
        Assert.StartsWith("key-", Db.Text($"SELECT name FROM {KeysTable}"), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task A_session_outlives_a_restart_of_the_service()
    {
        string cookie;
        using (var before = Node(Db))
        {
            cookie = await before.SignInToDashboard(AdminKey);
        }
        using var after = Node(Db);

        var (status, _, page) = await Dashboard(after, cookie, asBrowser: true);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("Hangfire Dashboard", page, StringComparison.Ordinal);
        Assert.Equal(1, Db.Count(KeysTable));
    }

    [SkippableFact]
    public async Task A_session_of_a_service_over_another_database_is_not_valid()
    {
        using var otherDatabase = TestDatabase.Create(Db.Kind);
        using var first = Node(Db);
        using var other = Node(otherDatabase);
        var cookie = await first.SignInToDashboard(AdminKey);

        var (browserStatus, location, _) = await Dashboard(other, cookie, asBrowser: true);
        var (programStatus, _, _) = await Dashboard(other, cookie, asBrowser: false);

        // The same key and process, a different key ring: a browser is sent to sign in, a program gets the API's 401.
        Assert.Equal(HttpStatusCode.Redirect, browserStatus);
        Assert.Equal("/ui/login?ReturnUrl=%2Fjobs", location);
        Assert.Equal(HttpStatusCode.Unauthorized, programStatus);
        Assert.Equal(1, Db.Count(KeysTable));
        Assert.Equal(1, otherDatabase.Count(KeysTable));
        Assert.NotEqual(Db.Text($"SELECT name FROM {KeysTable}"), otherDatabase.Text($"SELECT name FROM {KeysTable}"));
    }

    /// <summary>GET /jobs with the session cookie sent by hand: its status, where it redirects to, and the page.</summary>
    private static async Task<(HttpStatusCode Status, string? Location, string Page)> Dashboard(ServiceFactory service, string cookie, bool asBrowser)
    {
        using var client = asBrowser
            ? service.Browser(keepsCookies: false)
            : service.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        using var response = await client.GetDashboard(cookie);
        return (response.StatusCode, response.Headers.Location?.PathAndQuery, await response.Content.ReadAsStringAsync());
    }
}

public sealed class SharedSessionTests_Sqlite() : SharedSessionTests(DatabaseKind.Sqlite);

public sealed class SharedSessionTests_Postgres() : SharedSessionTests(DatabaseKind.Postgres);
