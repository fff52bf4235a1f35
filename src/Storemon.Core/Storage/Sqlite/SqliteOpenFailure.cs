using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;

namespace Storemon.Storage.Sqlite;

/// <summary>
/// Why a SQLite file could not be opened as the database, in one sentence that names the file: what the
/// command line prints and the service logs when it refuses to start, rather than the driver's error and
/// a stack trace ("/data/x.db is not a SQLite database.").
/// </summary>
public static partial class SqliteOpenFailure
{
    /// <summary>The SQLite error that <paramref name="error"/> is or wraps (a migration wraps it), if any.</summary>
    public static SqliteException? Find(Exception? error)
    {
        for (; error is not null; error = error.InnerException)
        {
            if (error is SqliteException sqlite)
            {
                return sqlite;
            }
        }
        return null;
    }

    /// <summary>The reason, as a sentence that starts in lower case and ends with a full stop.</summary>
    public static string Describe(string path, EmptyDatabaseFileException error) =>
        $"the database {path} is an empty file (0 bytes), most likely a database cut short or lost: restore it from a backup, or remove it to start a new database.";

    /// <summary>The reason, as a sentence that starts in lower case and ends with a full stop.</summary>
    public static string Describe(string path, SqliteException error) => error.SqliteErrorCode switch
    {
        SQLitePCL.raw.SQLITE_NOTADB => $"{path} is not a SQLite database.",
        SQLitePCL.raw.SQLITE_CORRUPT => $"the database {path} is damaged: {Text(error)}.",
        SQLitePCL.raw.SQLITE_READONLY => $"the database {path} is read-only.",
        SQLitePCL.raw.SQLITE_BUSY or SQLitePCL.raw.SQLITE_LOCKED => $"the database {path} is locked by another process.",
        SQLitePCL.raw.SQLITE_CANTOPEN or SQLitePCL.raw.SQLITE_PERM => $"cannot open the database {path}: permission denied, or not a file SQLite can open.",
        _ => $"cannot open the database {path}: {Text(error)}.",
    };

    // SQLite's own words, without the driver's "SQLite Error 26: '…'." around them.
    private static string Text(SqliteException e) =>
        Message().Match(e.Message) is { Success: true } match ? match.Groups["text"].Value : e.Message.TrimEnd('.');

    [GeneratedRegex(@"^SQLite Error \d+: '(?<text>.*)'\.?$", RegexOptions.Singleline)]
    private static partial Regex Message();
}

/// <summary>
/// The database's file exists but is empty. SQLite would take it for a new database and make one in it;
/// but a database file that exists and holds nothing was almost always cut short or lost (a full disk
/// while it was copied, a restore that failed), and a new empty database in its place would hide that.
/// A file that does not exist is still made.
/// </summary>
public sealed class EmptyDatabaseFileException(string path) : IOException($"The SQLite database {path} is an empty file.")
{
    public string Path { get; } = path;

    /// <summary>Throws when <paramref name="path"/> is a file of 0 bytes.</summary>
    public static void ThrowIfEmpty(string path)
    {
        if (new FileInfo(path) is { Exists: true, Length: 0 })
        {
            throw new EmptyDatabaseFileException(path);
        }
    }
}
