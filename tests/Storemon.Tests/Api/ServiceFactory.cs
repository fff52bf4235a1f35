using Hangfire;
using Hangfire.Logging;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NodaTime;
using Storemon.Api.Access;
using Storemon.Engine;
using Storemon.Reports;
using Storemon.Storage;
using Storemon.Tests.Databases;

namespace Storemon.Tests.Api;

/// <summary>
/// The real service in memory, over a fresh database of its own (<see cref="TestDatabase"/>): a SQLite
/// file in a temporary folder, with the job queue in a file beside it, or a PostgreSQL database, with
/// the job queue in its schema <c>hangfire</c>. Settings are the configuration keys of the service,
/// e.g. ("Access:Keys:0:Key", "…").
/// </summary>
/// <remarks>
/// Its own PostgreSQL database comes with the tables of the service and of the job queue already made
/// (<see cref="TestDatabase.CreateForService"/>): a test of the first start over a new database passes
/// one from <see cref="TestDatabase.Create"/>.
/// </remarks>
public sealed class ServiceFactory : WebApplicationFactory<Program>
{
    private readonly (string Key, string Value)[] _settings;
    private readonly bool _ownsDatabase;

    /// <summary>Where PostgreSQL cannot be had the test is skipped (and fails under <c>CI=true</c>), as <see cref="TestDatabase.Create"/> says.</summary>
    public ServiceFactory(DatabaseKind kind, params (string Key, string Value)[] settings)
    {
        Database = TestDatabase.CreateForService(kind);
        _settings = settings;
        _ownsDatabase = true;
    }

    /// <summary>
    /// A service over a database that the caller owns (and disposes after the service): another process
    /// of the same deployment, beside the first or after it stopped.
    /// </summary>
    public ServiceFactory(TestDatabase database, params (string Key, string Value)[] settings)
    {
        Database = database;
        _settings = settings;
    }

    /// <summary>The service's database, for reading and changing it behind the service's back.</summary>
    public TestDatabase Database { get; }

    /// <summary>The clock the service reads instead of the system clock, when set.</summary>
    public IClock? Clock { get; init; }

    /// <summary>The time the service's timers run on and its clock reads (unless <see cref="Clock"/> is set too), when set.</summary>
    public TimeProvider? Time { get; init; }


    /// <summary>Settings that configure API keys: one key per (name, key, scope).</summary>
    public static (string Key, string Value)[] Keys(params (string Name, string Key, string Scope)[] keys) =>
    [
        .. keys.SelectMany((key, i) => new[]
        {
            ($"Access:Keys:{i}:Name", key.Name),
            ($"Access:Keys:{i}:Key", key.Key),
            ($"Access:Keys:{i}:Scopes:0", key.Scope),
        }),
    ];

    /// <summary>
    /// The service behind a real Kestrel server on a free local port: the in-memory test server does not
    /// enforce request body size limits, Kestrel does.
    /// </summary>
    public static ServiceFactory OnKestrel(DatabaseKind kind, params (string Key, string Value)[] settings)
    {
        var service = new ServiceFactory(kind, settings);
        service.UseKestrel(0);
        service.StartServer();
        return service;
    }

    /// <summary>
    /// Starts <paramref name="count"/> services at the same moment: to see
    /// whether services that start together keep apart what they should.
    /// </summary>
    public static ServiceFactory[] StartTogether(DatabaseKind kind, int count)
    {
        var services = Enumerable.Range(0, count).Select(_ => new ServiceFactory(kind)).ToArray();
        try
        {
            Task.WaitAll([.. services.Select(service => Task.Run(service.StartServer))]);
            return services;
        }
        catch
        {
            foreach (var service in services)
            {
                service.Dispose();
            }
            throw;
        }
    }

    /// <summary>A client that sends <paramref name="apiKey"/> with every request.</summary>
    public HttpClient CreateClient(string apiKey)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add(AccessSetup.HeaderName, apiKey);
        return client;
    }

    /// <summary>The report the engine computes from the service's database as it is now.</summary>
    public string EngineReport(ReportRequest request)
    {
        using var store = Database.Open();
        using var csv = new StringWriter();
        ReportRunner.Run(store, request, csv);
        return csv.ToString();
    }

    /// <summary>
    /// Records a report that no worker has taken yet, or that one is running (3 of 7 stores done), the way
    /// the service records it. Its heartbeat lies an hour ahead, so neither the recovery at start nor
    /// the stale-report check hands it to a worker while a test looks at it.
    /// </summary>
    public string RecordUnfinishedReport(bool running)
    {
        var reports = Services.GetRequiredService<IReportStore>();
        var ahead = SystemClock.Instance.GetCurrentInstant() + Duration.FromHours(1);
        var id = running ? "0123456789abcdef0123456789abcdef" : "fedcba9876543210fedcba9876543210";
        reports.CreateReport(new ReportRecord(id, ReportStatus.Pending, new ReportRequest(), ahead, HeartbeatAt: ahead));
        if (running)
        {
            Assert.NotNull(reports.TryStartReport(id, ahead, ahead));
            Assert.True(reports.ReportProgress(id, attempt: 1, 3, 7, ahead));
        }
        return id;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Storemon:Database", Database.Connection);
        builder.UseSetting("Reports:QueuePollInterval", "00:00:00.050");
        builder.UseSetting("Logging:Console:FormatterName", "simple");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureTestServices(services =>
        {
            if (Time is { } time)
            {
                services.AddSingleton(time);
            }
            if (Clock is { } clock)
            {
                services.AddSingleton(clock);
            }
            KeepHangfireLoggingAlive(services);
        });
    }

    // Hangfire logs through one process-wide provider, which each service sets to its own logger factory
    // when it configures Hangfire. Several services live in this one process, and once the service that
    // set it last is disposed, every other service's Hangfire components fail as they create a logger
    // (ObjectDisposedException): a trigger answers 500, a worker stops taking jobs and a report stays
    // Pending. A service has its process to itself in production; here Hangfire's own logging is left out.
    private static void KeepHangfireLoggingAlive(IServiceCollection services)
    {
        var registered = services.Single(service => service.ServiceType == typeof(IGlobalConfiguration));
        services.Remove(registered);
        services.AddSingleton(provider =>
        {
            var configuration = (IGlobalConfiguration)registered.ImplementationFactory!(provider);
            configuration.UseLogProvider(SilentLogProvider.Instance);
            return configuration;
        });
    }

    private sealed class SilentLogProvider : ILogProvider, ILog
    {
        public static readonly SilentLogProvider Instance = new();

        public ILog GetLogger(string name) => this;

        public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null) => false;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && _ownsDatabase)
        {
            // After the service has stopped: its connections are closed, and a PostgreSQL database can be dropped.
            // (WebApplicationFactory calls this twice, once more from the DisposeAsync that Dispose runs: the
            // database's Dispose does its work once.)
            Database.Dispose();
        }
    }
}
