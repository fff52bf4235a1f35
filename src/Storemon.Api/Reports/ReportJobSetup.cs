using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.Storage.SQLite;
using Microsoft.Extensions.Options;
using NodaTime;
using Storemon.Api.Access;
using Storemon.Api.Health;
using Storemon.Api.Storage;
using Storemon.Reports;
using Storemon.Storage;
using Storemon.Storage.Postgres;

namespace Storemon.Api.Reports;

internal static class ReportJobSetup
{
    /// <summary>Report jobs; <paramref name="runsJobs"/> false for a process that only queues them (the Api role).</summary>
    public static IHostApplicationBuilder AddReportJobs(this IHostApplicationBuilder builder, bool runsJobs)
    {
        builder.Services.AddOptions<ReportOptions>()
            .Bind(builder.Configuration.GetSection(ReportOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => o.Retention > TimeSpan.Zero && o.StaleAfter > TimeSpan.Zero && o.QueuePollInterval > TimeSpan.Zero,
                "Reports:Retention, StaleAfter and QueuePollInterval must be positive.")
            .ValidateOnStart();
        builder.Services.AddOptions<DatabaseOptions>()
            .Validate<IOptions<ReportOptions>>((database, reports) => reports.Value.Shards == 1 || database.IsPostgres,
                "Reports:Shards above 1 needs a PostgreSQL database (the shards share one exported snapshot).");
        builder.Services.AddSingleton<IJobEngine, HangfireJobEngine>();
        builder.Services.AddSingleton(services =>
        {
            var database = services.GetRequiredService<IStoremonDatabase>();
            return new ReportJobs(
                database, database, services.GetRequiredService<IJobEngine>(), services.GetRequiredService<IClock>(),
                services.GetRequiredService<IOptions<ReportOptions>>().Value, ShardedReports.Of(database),
                services.GetRequiredService<ILogger<ReportJobs>>(), services.GetRequiredService<WriteOutcomes>());
        });
        builder.Services.AddTransient<ReportJob>();
        builder.Services.AddSingleton<LocalJobServer>();

        // The service's own storage instance, registered before AddHangfire so that the job client, the
        // server and the dashboard take it from DI rather than from Hangfire's process-wide default (two
        // hosts in one process, as in tests, would otherwise share whichever storage was set last).
        builder.Services.AddSingleton(services => CreateJobStorage(
            services.GetRequiredService<IOptions<DatabaseOptions>>().Value, services.GetRequiredService<IOptions<ReportOptions>>().Value));
        // The activator too: Hangfire's default is the process-wide JobActivator.Current, which the host that
        // configured Hangfire last sets, and a job activated by it runs against that host's services.
        builder.Services.AddSingleton<JobActivator>(services => new Hangfire.AspNetCore.AspNetCoreJobActivator(services.GetRequiredService<IServiceScopeFactory>()));
        builder.Services.AddHangfire((services, configuration) => configuration
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseStorage(services.GetRequiredService<JobStorage>()));
        if (!runsJobs)
        {
            return builder;
        }
        builder.Services.AddHangfireServer((services, options) =>
        {
            // Named so that /health tells this process's server from the others on the queue, and beating
            // at the interval /health judges it by.
            options.ServerName = services.GetRequiredService<LocalJobServer>().Name;
            options.HeartbeatInterval = JobServerCheck.HeartbeatInterval;
            options.WorkerCount = services.GetRequiredService<IOptions<ReportOptions>>().Value.Workers;
            options.SchedulePollingInterval = TimeSpan.FromSeconds(5);
        });
        builder.Services.AddHostedService<ReportRecovery>();
        return builder;
    }

    public const string DashboardPath = "/jobs";

    /// <summary>The Hangfire dashboard, for operators with the admin scope.</summary>
    public static WebApplication MapJobDashboard(this WebApplication app)
    {
        // Admin key in the header, or a browser session of an admin key (Access/BrowserSessions.cs).
        app.MapHangfireDashboard(DashboardPath, new DashboardOptions { Authorization = [], AppPath = "/ui", DisplayStorageConnectionString = false })
            .RequireAuthorization(BrowserSessions.Dashboard);
        // Its actions asked for with a method other than POST, and jobs that are not there, answered before Hangfire fails on them.
        app.UseJobDashboardGuard(DashboardPath);
        // Where the dashboard's sign-in was: a bookmark still finds the one sign-in page.
        app.MapGet(DashboardPath + "/login", () => Results.Redirect($"{BrowserSessions.LoginPath}?ReturnUrl={Uri.EscapeDataString(DashboardPath)}"))
            .AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    // The queue lives with the data: in a SQLite file beside the service's database (one process), or in
    // the same PostgreSQL database under its own schema, where every API and worker process pointing at
    // the database shares it. Either way a report enqueued before a process dies is still there after.
    private static JobStorage CreateJobStorage(DatabaseOptions database, ReportOptions reports)
    {
        if (!database.IsPostgres)
        {
            return new SQLiteStorage(JobDatabasePath(database.Database), new SQLiteStorageOptions
            {
                QueuePollInterval = reports.QueuePollInterval,
                // A job fetched by a process that died is handed out again after this long; the
                // service's own recovery (ReportRecovery) runs it sooner.
                InvisibilityTimeout = TimeSpan.FromMinutes(30),
            });
        }
        var options = new PostgreSqlStorageOptions
        {
            SchemaName = "hangfire",
            PrepareSchemaIfNecessary = true,
            QueuePollInterval = reports.QueuePollInterval,
            // LISTEN/NOTIFY: a worker takes a new job the moment it is enqueued, not at the next poll.
            EnableLongPolling = true,
            // A job whose worker died becomes visible to the others a few minutes after its last keep-alive
            // (the report's own heartbeat gets it re-run sooner, see ReportRecovery).
            UseSlidingInvisibilityTimeout = true,
            InvisibilityTimeout = TimeSpan.FromMinutes(5),
            // A lock whose release failed (on a full disk, the DELETE of its row) is taken as abandoned after
            // this long. Hangfire's own default, 10 minutes, held a worker on its job's state lock for that
            // long after space was back; the service's locks are held for milliseconds (a job's state change).
            DistributedLockTimeout = TimeSpan.FromSeconds(30),
        };
        return new PostgreSqlStorage(new NpgsqlConnectionFactory(PostgresConnectionString.Normalize(database.Database), options), options);
    }

    internal static string JobDatabasePath(string database) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(database))!, Path.GetFileNameWithoutExtension(database) + ".jobs.db");
}
