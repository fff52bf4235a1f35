using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Storemon.Storage;

/// <summary>
/// Tells an error of a database that does not answer (stopped, restarting, unreachable, or refusing
/// connections for now) from every other error. The first kind passes by itself once the database is
/// back: a caller is asked to try again and a report is run again, where any other error is a fault
/// of the service or of the data.
/// </summary>
public static class DatabaseUnavailable
{
    // SQLite's primary result codes (https://sqlite.org/rescode.html): another connection holds the lock
    // for longer than the busy timeout, or the file cannot be opened (its volume gone).
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteCantOpen = 14;

    /// <summary>True when <paramref name="error"/>, or an exception it wraps, says that the database does not answer.</summary>
    public static bool IsCause(Exception? error) => ExceptionCauses.Any(error, SaysUnavailable);

    private static bool SaysUnavailable(Exception error) => error switch
    {
        // The server's own word: class 08 (the connection failed or broke), 57P01 to 57P03 (shut down by
        // an administrator or a crash; cannot take connections now, as while it starts or stops) and
        // 57P05 (an idle session closed). Not its other "transient" errors (a deadlock, a serialisation
        // failure, a full disk): the database answered those.
        PostgresException postgres => postgres.SqlState.StartsWith("08", StringComparison.Ordinal)
            || postgres.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown
                or PostgresErrorCodes.CannotConnectNow or "57P05",
        // Npgsql's own: the socket refused, broke or timed out (IsTransient says exactly that for an
        // error that did not come from the server), the pool found no connection in time.
        NpgsqlException npgsql => npgsql.IsTransient,
        SqliteException sqlite => sqlite.SqliteErrorCode is SqliteBusy or SqliteLocked or SqliteCantOpen,
        SocketException => true,
        _ => false,
    };
}
