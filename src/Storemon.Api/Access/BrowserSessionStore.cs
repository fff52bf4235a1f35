using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Storemon.Api.Storage;

namespace Storemon.Api.Access;

/// <summary>
/// The browser sessions, kept server-side in the service's database (table <c>browser_session</c>):
/// the cookie carries only the session's random id (protected by data protection), and each request
/// reads the session's ticket here. Signing out deletes the row, so a copy of the cookie taken before
/// opens nothing afterwards, on any API process over the database. Expired rows are deleted as new
/// sessions start.
/// </summary>
internal sealed class BrowserSessionStore(Func<System.Data.Common.DbConnection> open, TimeProvider time) : ITicketStore
{
    /// <summary>How long a session lasts without being used; each use within it extends it (sliding).</summary>
    public static readonly TimeSpan IdleLifetime = TimeSpan.FromHours(8);

    public async Task<string> StoreAsync(AuthenticationTicket ticket)
    {
        var id = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        await using var connection = open();
        await using (var prune = DatabaseConnections.Command(connection, "DELETE FROM browser_session WHERE expires_us < @now", ("now", Microseconds(time.GetUtcNow()))))
        {
            await prune.ExecuteNonQueryAsync();
        }
        await using var insert = DatabaseConnections.Command(connection,
            "INSERT INTO browser_session (id, ticket, expires_us) VALUES (@id, @ticket, @expires)",
            ("id", id), ("ticket", TicketSerializer.Default.Serialize(ticket)), ("expires", Expires(ticket)));
        await insert.ExecuteNonQueryAsync();
        return id;
    }

    // A session signed out meanwhile (no row) stays signed out: renewing never brings it back.
    public async Task RenewAsync(string key, AuthenticationTicket ticket)
    {
        await using var connection = open();
        await using var update = DatabaseConnections.Command(connection,
            "UPDATE browser_session SET ticket = @ticket, expires_us = @expires WHERE id = @id",
            ("id", key), ("ticket", TicketSerializer.Default.Serialize(ticket)), ("expires", Expires(ticket)));
        await update.ExecuteNonQueryAsync();
    }

    public async Task<AuthenticationTicket?> RetrieveAsync(string key)
    {
        await using var connection = open();
        await using var select = DatabaseConnections.Command(connection,
            "SELECT ticket FROM browser_session WHERE id = @id AND expires_us > @now", ("id", key), ("now", Microseconds(time.GetUtcNow())));
        return await select.ExecuteScalarAsync() is byte[] ticket ? TicketSerializer.Default.Deserialize(ticket) : null;
    }

    public async Task RemoveAsync(string key)
    {
        await using var connection = open();
        await using var delete = DatabaseConnections.Command(connection, "DELETE FROM browser_session WHERE id = @id", ("id", key));
        await delete.ExecuteNonQueryAsync();
    }

    private long Expires(AuthenticationTicket ticket) => Microseconds(ticket.Properties.ExpiresUtc ?? time.GetUtcNow() + IdleLifetime);

    private static long Microseconds(DateTimeOffset instant) => (instant - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond;
}
