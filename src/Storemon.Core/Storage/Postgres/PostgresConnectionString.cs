using System.Globalization;
using Npgsql;

namespace Storemon.Storage.Postgres;

/// <summary>
/// PostgreSQL connection settings in either of their usual forms: Npgsql's keywords
/// (<c>Host=db;Database=storemon;Username=app</c>) or libpq's URI (<c>postgresql://app:secret@db:5432/storemon?sslmode=require</c>),
/// which hosting platforms hand out. Npgsql reads only the first, so a URI is turned into it.
/// </summary>
public static class PostgresConnectionString
{
    private static readonly string[] Schemes = ["postgresql://", "postgres://"];

    public static bool IsUri(string setting) =>
        Schemes.Any(scheme => setting.TrimStart().StartsWith(scheme, StringComparison.OrdinalIgnoreCase));

    /// <summary>The setting as Npgsql keywords: a URI converted, keywords checked and returned as Npgsql writes them.</summary>
    /// <exception cref="ArgumentException">The setting is not a valid PostgreSQL connection string.</exception>
    public static string Normalize(string setting)
    {
        ArgumentNullException.ThrowIfNull(setting);
        return IsUri(setting) ? FromUri(setting.Trim()) : new NpgsqlConnectionStringBuilder(setting).ConnectionString;
    }

    private static string FromUri(string uri)
    {
        var rest = uri[(uri.IndexOf("://", StringComparison.Ordinal) + 3)..];
        var builder = new NpgsqlConnectionStringBuilder();

        var query = rest.IndexOf('?', StringComparison.Ordinal);
        var parameters = query >= 0 ? rest[(query + 1)..] : "";
        rest = query >= 0 ? rest[..query] : rest;

        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            var database = Uri.UnescapeDataString(rest[(slash + 1)..]);
            if (database.Length > 0)
            {
                builder.Database = database;
            }
            rest = rest[..slash];
        }

        // The password may itself hold '@' when percent-encoded only partly: the last '@' ends the user part.
        var at = rest.LastIndexOf('@');
        if (at >= 0)
        {
            var user = rest[..at];
            rest = rest[(at + 1)..];
            var colon = user.IndexOf(':', StringComparison.Ordinal);
            builder.Username = Uri.UnescapeDataString(colon >= 0 ? user[..colon] : user);
            if (colon >= 0)
            {
                builder.Password = Uri.UnescapeDataString(user[(colon + 1)..]);
            }
        }

        if (rest.Length > 0)
        {
            var hosts = rest.Split(',');
            if (hosts.Length == 1 && SplitPort(Uri.UnescapeDataString(hosts[0])) is var (host, port))
            {
                builder.Host = host;
                if (port is { } number)
                {
                    builder.Port = number;
                }
            }
            else
            {
                // Several hosts: Npgsql takes the same host:port list.
                builder.Host = Uri.UnescapeDataString(rest);
            }
        }

        foreach (var pair in parameters.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString(equals >= 0 ? pair[..equals] : pair);
            var value = equals >= 0 ? Uri.UnescapeDataString(pair[(equals + 1)..].Replace('+', ' ')) : "";
            builder[KeywordOf(key)] = key.Equals("sslmode", StringComparison.OrdinalIgnoreCase) ? SslModeOf(value) : value;
        }
        return builder.ConnectionString;
    }

    private static (string Host, int? Port) SplitPort(string host)
    {
        // [::1]:5432 is an IPv6 address with a port; a bare IPv6 address has no brackets and no port.
        if (host.StartsWith('['))
        {
            var close = host.IndexOf(']', StringComparison.Ordinal);
            var address = host[1..close];
            return host.Length > close + 2 && host[close + 1] == ':' ? (address, ParsePort(host[(close + 2)..])) : (address, null);
        }
        var colon = host.LastIndexOf(':');
        return colon >= 0 && host.IndexOf(':', StringComparison.Ordinal) == colon
            ? (host[..colon], ParsePort(host[(colon + 1)..]))
            : (host, null);
    }

    private static int ParsePort(string port) =>
        int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number is > 0 and < 65536
            ? number
            : throw new ArgumentException($"'{port}' is not a port number.");

    // libpq's parameter names where Npgsql spells them differently; others (Npgsql's own keywords) pass as they are.
    private static string KeywordOf(string parameter) => parameter.ToLowerInvariant() switch
    {
        "sslmode" => "SSL Mode",
        "application_name" => "Application Name",
        "connect_timeout" => "Timeout",
        "target_session_attrs" => "Target Session Attributes",
        "sslcert" => "SSL Certificate",
        "sslkey" => "SSL Key",
        "sslpassword" => "SSL Password",
        "sslrootcert" => "Root Certificate",
        "user" => "Username",
        "dbname" => "Database",
        _ => parameter,
    };

    private static string SslModeOf(string value) => value.ToLowerInvariant() switch
    {
        "verify-ca" => "VerifyCA",
        "verify-full" => "VerifyFull",
        _ => value,
    };
}
