using System.ComponentModel.DataAnnotations;
using Hangfire;
using Hangfire.Storage.SQLite;
using Microsoft.Extensions.Options;
using Storemon.Api.Access;
using Storemon.Api.Storage;
using Storemon.Reports;

namespace Storemon.Api.Reports;

/// <summary>Report jobs: how many run at once, how long finished reports are kept, when a running one counts as abandoned.</summary>
public sealed class ReportOptions
{
    public const string Section = "Reports";

    /// <summary>Reports computed at the same time by this process.</summary>
    [Range(1, 64)]
    public int Workers { get; set; } = 2;

    /// <summary>Finished reports (and their CSV) older than this are deleted.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>A Running report without a heartbeat for this long is run again.</summary>
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often the job queue is polled for new reports.</summary>
    public TimeSpan QueuePollInterval { get; set; } = TimeSpan.FromMilliseconds(200);
}

internal static class ReportJobSetup
{
    public static WebApplicationBuilder AddReportJobs(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ReportOptions>()
            .Bind(builder.Configuration.GetSection(ReportOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => o.Retention > TimeSpan.Zero && o.StaleAfter > TimeSpan.Zero && o.QueuePollInterval > TimeSpan.Zero,
                "Reports:Retention, StaleAfter and QueuePollInterval must be positive.")
            .ValidateOnStart();
        builder.Services.AddSingleton(services => new ReportJobOptions { StaleAfter = services.GetRequiredService<IOptions<ReportOptions>>().Value.StaleAfter });
        builder.Services.AddSingleton<ReportJobs>();
        builder.Services.AddTransient<ReportJob>();

        // Hangfire keeps its queue in a SQLite file beside the service's database: a report enqueued
        // before the process dies is still there when it starts again. The service's own storage
        // instance, registered before AddHangfire so that the job client, the server and the dashboard
        // take it from DI rather than from Hangfire's process-wide default (two hosts in one process, as
        // in tests, would otherwise share whichever storage was set last).
        builder.Services.AddSingleton<JobStorage>(services => new SQLiteStorage(
            JobDatabasePath(services.GetRequiredService<IOptions<DatabaseOptions>>().Value.Database),
            new SQLiteStorageOptions
            {
                QueuePollInterval = services.GetRequiredService<IOptions<ReportOptions>>().Value.QueuePollInterval,
                // A job fetched by a process that died is handed out again after this long; the
                // service's own recovery (ReportRecovery) runs it sooner.
                InvisibilityTimeout = TimeSpan.FromMinutes(30),
            }));
        // The activator too: Hangfire's default is the process-wide JobActivator.Current, which the host that
        // configured Hangfire last sets, and a job activated by it runs against that host's services.
        builder.Services.AddSingleton<JobActivator>(services => new Hangfire.AspNetCore.AspNetCoreJobActivator(services.GetRequiredService<IServiceScopeFactory>()));
        builder.Services.AddHangfire((services, configuration) => configuration
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseStorage(services.GetRequiredService<JobStorage>()));
        builder.Services.AddHangfireServer((services, options) =>
        {
            options.WorkerCount = services.GetRequiredService<IOptions<ReportOptions>>().Value.Workers;
            options.SchedulePollingInterval = TimeSpan.FromSeconds(5);
        });
        builder.Services.AddHostedService<ReportRecovery>();
        return builder;
    }

    /// <summary>The Hangfire dashboard, for operators with the admin scope.</summary>
    public static WebApplication MapJobDashboard(this WebApplication app)
    {
        // Admin key in the header, or a browser session from /jobs/login (Access/DashboardLogin.cs).
        app.MapHangfireDashboard(DashboardLogin.Path, new DashboardOptions { Authorization = [], AppPath = null, DisplayStorageConnectionString = false })
            .RequireAuthorization(DashboardLogin.Policy);
        app.MapDashboardLogin();
        return app;
    }

    internal static string JobDatabasePath(string database) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(database))!, Path.GetFileNameWithoutExtension(database) + ".jobs.db");
}
