using System.Net;
using System.Text;
using Storemon.Tests.Databases;

namespace Storemon.Tests.Api;

/// <summary>
/// A browser session is the database's, not the cookie's: signing out, on any node, ends it for every
/// copy of its cookie; a key whose secret changed under the same name ends the sessions of the old
/// secret; an expired session opens nothing. On PostgreSQL the services are API nodes (Storemon:Role=Api).
/// </summary>
public abstract class SessionRevocationTests(DatabaseKind kind) : DatabaseTest(kind)
{
    private const string AdminKey = "admin-key-0123456789";
    private const string Sessions = "browser_session";

    private static ServiceFactory Node(TestDatabase database, string adminKey = AdminKey) => new(database,
    [
        .. ServiceFactory.Keys(("operator", adminKey, "admin")),
        .. database.Kind == DatabaseKind.Postgres ? [("Storemon:Role", "Api")] : Array.Empty<(string, string)>(),
    ]);

    [SkippableFact]
    public async Task Signing_out_ends_the_session_for_a_copy_of_its_cookie_taken_before()
    {
        using var node = Node(Db);
        using var browser = node.Browser(keepsCookies: false);
        var copied = await browser.SignInToDashboard(AdminKey);
        var sessionsSignedIn = Db.Count(Sessions);
        using var before = await browser.GetDashboard(copied);

        using var signedOut = await browser.SignOut(copied);
        using var dashboard = await browser.GetDashboard(copied);
        using var pages = await browser.GetWithCookie("/ui", copied);

        Assert.Equal(1, sessionsSignedIn);
        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, dashboard.StatusCode);
        Assert.Equal("/ui/login?ReturnUrl=%2Fjobs", dashboard.Headers.Location!.PathAndQuery);
        Assert.Equal(HttpStatusCode.Redirect, pages.StatusCode);
        Assert.Equal("/ui/login?ReturnUrl=%2Fui", pages.Headers.Location!.PathAndQuery);
        Assert.Equal(0, Db.Count(Sessions));
    }

    [SkippableFact]
    public async Task Signing_out_on_one_node_ends_the_session_on_another_node_over_the_same_database()
    {
        using var first = Node(Db);
        using var second = Node(Db);
        using var firstBrowser = first.Browser(keepsCookies: false);
        using var secondBrowser = second.Browser(keepsCookies: false);
        var cookie = await firstBrowser.SignInToDashboard(AdminKey);
        using var onSecondBefore = await secondBrowser.GetDashboard(cookie);

        using var signedOut = await firstBrowser.SignOut(cookie);
        using var onSecondAfter = await secondBrowser.GetDashboard(cookie);

        Assert.Equal(HttpStatusCode.OK, onSecondBefore.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, onSecondAfter.StatusCode);
        Assert.StartsWith("/ui/login", onSecondAfter.Headers.Location!.AbsolutePath, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task A_new_secret_under_the_same_key_name_ends_the_sessions_of_the_old_secret()
    {
        string cookie;
        using (var before = Node(Db))
        {
            cookie = await before.SignInToDashboard(AdminKey);
        }
        using var sameSecret = Node(Db);
        using var sameSecretBrowser = sameSecret.Browser(keepsCookies: false);
        using var stillValid = await sameSecretBrowser.GetDashboard(cookie);
        using var changed = Node(Db, adminKey: "a-new-admin-key-9876543210");
        using var changedBrowser = changed.Browser(keepsCookies: false);

        using var refused = await changedBrowser.GetDashboard(cookie);
        var cleared = refused.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("storemon.session=", StringComparison.Ordinal));
        var newSession = await changedBrowser.SignInToDashboard("a-new-admin-key-9876543210");
        using var withNewSecret = await changedBrowser.GetDashboard(newSession);

        Assert.Equal(HttpStatusCode.OK, stillValid.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.Equal("/ui/login?ReturnUrl=%2Fjobs", refused.Headers.Location!.PathAndQuery);
        Assert.Contains("expires=Thu, 01 Jan 1970", cleared, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, withNewSecret.StatusCode);
        // The refused session's row is gone; only the new one is left.
        Assert.Equal(1, Db.Count(Sessions));
    }

    [SkippableFact]
    public async Task A_session_past_its_expiry_opens_nothing_and_is_deleted_when_the_next_one_starts()
    {
        using var node = Node(Db);
        using var browser = node.Browser(keepsCookies: false);
        var cookie = await browser.SignInToDashboard(AdminKey);
        Db.Execute($"UPDATE {Sessions} SET expires_us = expires_us - 9 * 3600000000");

        using var expired = await browser.GetDashboard(cookie);
        var rowsBeforeNextSignIn = Db.Count(Sessions);
        await browser.SignInToDashboard(AdminKey);

        Assert.Equal(HttpStatusCode.Redirect, expired.StatusCode);
        Assert.Equal(1, rowsBeforeNextSignIn);
        Assert.Equal(1, Db.Count(Sessions));
    }

    [SkippableFact]
    public async Task A_session_row_holds_the_keys_name_and_scopes_but_not_the_key_and_lasts_eight_hours()
    {
        using var node = Node(Db);
        var now = DateTimeOffset.UtcNow;
        await node.SignInToDashboard(AdminKey);

        var ticket = Db.Text(Db.Kind == DatabaseKind.Sqlite ? $"SELECT lower(hex(ticket)) FROM {Sessions}" : $"SELECT encode(ticket, 'hex') FROM {Sessions}")!;
        var expires = DateTimeOffset.UnixEpoch.AddTicks(Db.Scalar($"SELECT expires_us FROM {Sessions}") * 10);

        Assert.Contains(Hex("operator"), ticket, StringComparison.Ordinal);
        Assert.Contains(Hex("admin"), ticket, StringComparison.Ordinal);
        Assert.DoesNotContain(Hex(AdminKey), ticket, StringComparison.Ordinal);
        Assert.InRange(expires - now, TimeSpan.FromHours(8) - TimeSpan.FromMinutes(1), TimeSpan.FromHours(8) + TimeSpan.FromMinutes(1));
    }

    private static string Hex(string text) => Convert.ToHexStringLower(Encoding.UTF8.GetBytes(text));
}

public sealed class SessionRevocationTests_Sqlite() : SessionRevocationTests(DatabaseKind.Sqlite);

public sealed class SessionRevocationTests_Postgres() : SessionRevocationTests(DatabaseKind.Postgres);
