using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using NodaTime;
using Npgsql;
using Storemon.Api.Storage;
using Storemon.Storage;

namespace Storemon.Api.Health;

/// <summary>The words /health describes a part with: what failed and since when, never an exception's text, a path or a connection string.</summary>
internal static class HealthParts
{
    /// <summary>"The database storemon.db" for a SQLite file (its name alone), "The database" for PostgreSQL.</summary>
    public static string Database(IOptions<DatabaseOptions> options) =>
        options.Value.IsPostgres ? "The database" : $"The database {Path.GetFileName(options.Value.Database)}";

    /// <summary>An instant as "2024-10-14 10:00:00 UTC".</summary>
    public static string At(Instant instant) =>
        instant.ToDateTimeUtc().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>"since 2024-10-14 10:00:00 UTC", and when the failure was last seen if later.</summary>
    public static string Since(WriteFailure failure) => failure.Since == failure.Latest
        ? $"since {At(failure.Since)}"
        : $"since {At(failure.Since)} (last at {At(failure.Latest)})";

    /// <summary>What the database's fault means, after "the database".</summary>
    public static string Fault(StorageFault fault) => fault switch
    {
        StorageFault.DiskFull => "its disk is full",
        StorageFault.Unavailable => "it does not answer",
        _ => "its data is damaged",
    };

    /// <summary>Why the database failed <paramref name="error"/>, in a few words after "the database", or null when it is not known.</summary>
    public static string? Cause(Exception error) => WriteOutcomes.FaultOf(error) is { } fault
        ? Fault(fault)
        : ReadOnly(error) ? "it refuses writes (a read-only file, folder or disk)" : null;

    private static bool ReadOnly(Exception error) => error switch
    {
        SqliteException { SqliteErrorCode: SQLitePCL.raw.SQLITE_READONLY or SQLitePCL.raw.SQLITE_PERM } => true,
        PostgresException { SqlState: PostgresErrorCodes.ReadOnlySqlTransaction } => true,
        _ => error.InnerException is { } inner && ReadOnly(inner),
    };
}
