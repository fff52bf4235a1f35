using Microsoft.Data.Sqlite;
using Npgsql;

namespace Storemon.Storage;

/// <summary>
/// Recognises a write that failed because a disk is full, in the words of whichever layer said so:
/// SQLite (<c>SQLITE_FULL</c>), PostgreSQL (SQLSTATE 53100, <c>disk_full</c>) or the operating system
/// (<c>ENOSPC</c>). The command line and the HTTP service answer it with one clear message instead of
/// the driver's text: it is not a fault of the file being imported, and the same file imports once
/// there is space again (an import is one transaction, so a failed one wrote nothing).
/// </summary>
public static class DiskFull
{
    // IOException.HResult is the errno on Unix (ENOSPC is 28 on Linux and macOS), and an HRESULT on
    // Windows (ERROR_DISK_FULL, ERROR_HANDLE_DISK_FULL).
    private const int NoSpaceLeftOnDevice = 28;
    private const int WindowsDiskFull = unchecked((int)0x80070070);
    private const int WindowsHandleDiskFull = unchecked((int)0x80070027);

    /// <summary>True when <paramref name="exception"/>, or one it wraps, is the database saying that its disk is full.</summary>
    public static bool OfDatabase(Exception? exception) => ExceptionCauses.Any(exception, static e =>
        e is SqliteException { SqliteErrorCode: SQLitePCL.raw.SQLITE_FULL } or PostgresException { SqlState: PostgresErrorCodes.DiskFull });

    /// <summary>True when <paramref name="exception"/>, or one it wraps, is a file of this process that could not be written for lack of space.</summary>
    public static bool OfFile(Exception? exception) => ExceptionCauses.Any(exception, static e =>
        e is IOException { HResult: NoSpaceLeftOnDevice or WindowsDiskFull or WindowsHandleDiskFull });
}
