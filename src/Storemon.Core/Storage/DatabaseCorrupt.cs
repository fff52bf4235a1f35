using Microsoft.Data.Sqlite;
using Npgsql;

namespace Storemon.Storage;

/// <summary>
/// Recognises a database whose data is damaged, in the words of its engine: SQLite's
/// <c>SQLITE_CORRUPT</c> (a page that is not what it should be) and <c>SQLITE_NOTADB</c> (a file that is
/// not a database, or whose header is damaged), PostgreSQL's <c>data_corrupted</c> (XX001) and
/// <c>index_corrupted</c> (XX002). Unlike a full disk or an outage it does not pass by itself: the
/// database must be repaired or restored.
/// </summary>
public static class DatabaseCorrupt
{
    /// <summary>True when <paramref name="error"/>, or one it wraps, is the database saying that its data is damaged.</summary>
    public static bool IsCause(Exception? error) => ExceptionCauses.Any(error, static e =>
        e is SqliteException { SqliteErrorCode: SQLitePCL.raw.SQLITE_CORRUPT or SQLitePCL.raw.SQLITE_NOTADB }
            or PostgresException { SqlState: PostgresErrorCodes.DataCorrupted or PostgresErrorCodes.IndexCorrupted });
}
