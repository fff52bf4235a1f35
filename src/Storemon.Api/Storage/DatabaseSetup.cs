using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using NodaTime;
using Storemon.Storage;
using Storemon.Storage.Sqlite;

namespace Storemon.Api.Storage;

/// <summary>Which database the service uses, and what this process does with it.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Storemon";

    /// <summary>
    /// A SQLite file path (created if missing), or a PostgreSQL connection string
    /// (<c>Host=...;Database=...</c> or a <c>postgresql://</c> URI).
    /// </summary>
    [Required]
    public string Database { get; set; } = "storemon.db";

    /// <summary>
    /// <c>All</c> (the default): HTTP and report jobs in one process. <c>Api</c>: HTTP only, reports are
    /// queued for workers. <c>Worker</c>: runs report jobs, no HTTP. Several processes share one
    /// database (and its job queue) only on PostgreSQL.
    /// </summary>
    public ProcessRole Role { get; set; } = ProcessRole.All;

    public bool IsPostgres => MonitoringStores.IsPostgres(Database);
}

/// <summary>What one process of the service does.</summary>
public enum ProcessRole
{
    All,
    Api,
    Worker,
}

internal static class DatabaseSetup
{
    public static IHostApplicationBuilder AddStoremonDatabase(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DatabaseOptions>()
            .Bind(builder.Configuration.GetSection(DatabaseOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => o.Role == ProcessRole.All || o.IsPostgres,
                "Storemon:Role Api or Worker needs a PostgreSQL database: a SQLite file serves one process, which has both roles.")
            .ValidateOnStart();
        // One clock: NodaTime's IClock reads the TimeProvider, so a test that moves one moves both.
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IClock>(services => new TimeProviderClock(services.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton(services => Open(services.GetRequiredService<IOptions<DatabaseOptions>>().Value.Database));
        builder.Services.AddSingleton<IMonitoringStore>(services => services.GetRequiredService<IStoremonDatabase>());
        builder.Services.AddSingleton<IReportStore>(services => services.GetRequiredService<IStoremonDatabase>());
        // What the database did with the service's real writes, for /health (Health/HealthEndpoints.cs).
        builder.Services.AddSingleton<WriteOutcomes>();
        return builder;
    }

    // A SQLite file that cannot be the database (empty, not SQLite at all, damaged, read-only, locked) stops the
    // service with the reason naming the file, as the command line says it, rather than the driver's error.
    private static IStoremonDatabase Open(string database)
    {
        IStoremonDatabase? store = null;
        try
        {
            store = MonitoringStores.Open(database);
            store.Migrate();
            return store;
        }
        catch (EmptyDatabaseFileException e)
        {
            store?.Dispose();
            throw new UnusableDatabaseException(SqliteOpenFailure.Describe(Path.GetFullPath(database), e), e);
        }
        catch (Exception e) when (!MonitoringStores.IsPostgres(database) && SqliteOpenFailure.Find(e) is { } sqlite)
        {
            store?.Dispose();
            throw new UnusableDatabaseException(SqliteOpenFailure.Describe(Path.GetFullPath(database), sqlite), e);
        }
    }

    /// <summary>The role this process was configured with, read before the host is built (it decides what the host is).</summary>
    public static ProcessRole Role(IConfiguration configuration) =>
        configuration.GetSection(DatabaseOptions.Section).GetValue<ProcessRole?>(nameof(DatabaseOptions.Role)) ?? ProcessRole.All;
}

/// <summary>NodaTime's clock over a <see cref="TimeProvider"/>.</summary>
internal sealed class TimeProviderClock(TimeProvider time) : IClock
{
    public Instant GetCurrentInstant() => Instant.FromDateTimeOffset(time.GetUtcNow());
}

/// <summary>The service's database cannot be used at all: the service does not start.</summary>
public sealed class UnusableDatabaseException(string reason, Exception cause) : Exception(reason, cause)
{
    private static int _watching;

    /// <summary>
    /// From now on, this exception left unhandled (the service refusing to start) ends the process with
    /// its reason as one line on standard error and exit code 1, not the runtime's stack trace.
    /// </summary>
    public static void EndTheProcessQuietly()
    {
        if (Interlocked.Exchange(ref _watching, 1) == 0)
        {
            AppDomain.CurrentDomain.UnhandledException += (_, unhandled) =>
            {
                if (Find(unhandled.ExceptionObject as Exception) is { } unusable)
                {
                    Console.Error.WriteLine($"storemon: cannot start: {unusable.Message}");
                    Environment.Exit(1);
                }
            };
        }
    }

    private static UnusableDatabaseException? Find(Exception? error) => error switch
    {
        null => null,
        UnusableDatabaseException unusable => unusable,
        AggregateException aggregate => aggregate.InnerExceptions.Select(Find).FirstOrDefault(found => found is not null),
        _ => Find(error.InnerException),
    };
}
