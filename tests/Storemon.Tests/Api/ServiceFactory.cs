using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NodaTime;
using Storemon.Api.Access;
using Storemon.Engine;
using Storemon.Reports;
using Storemon.Storage;
using Storemon.Storage.Sqlite;

namespace Storemon.Tests.Api;

/// <summary>
/// The real service in memory, over its own SQLite database file (and job queue file) in a
/// temporary folder. Settings are the configuration keys of the service, e.g. ("Access:Keys:0:Key", "…").
/// </summary>
public sealed class ServiceFactory : WebApplicationFactory<Program>
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("storemon-api-");
    private readonly (string Key, string Value)[] _settings;

    public ServiceFactory(params (string Key, string Value)[] settings) => _settings = settings;

    public string DatabasePath => Path.Combine(_folder.FullName, "storemon.db");

    public string Folder => _folder.FullName;

    /// <summary>The clock the service reads instead of the system clock, when set.</summary>
    public IClock? Clock { get; init; }


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
    public static ServiceFactory OnKestrel(params (string Key, string Value)[] settings)
    {
        var service = new ServiceFactory(settings);
        service.UseKestrel(0);
        service.StartServer();
        return service;
    }

    /// <summary>
    /// Starts <paramref name="count"/> services at the same moment: to see
    /// whether services that start together keep apart what they should.
    /// </summary>
    public static ServiceFactory[] StartTogether(int count)
    {
        var services = Enumerable.Range(0, count).Select(_ => new ServiceFactory()).ToArray();
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
        using var store = new SqliteMonitoringStore(DatabasePath);
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
        reports.CreateReport(new ReportRecord(id, ReportStatus.Pending, null, Interpolation.Nearest, ahead));
        if (running)
        {
            Assert.True(reports.TryStartReport(id, ahead, ahead));
            reports.ReportProgress(id, 3, 7, ahead);
        }
        return id;
    }

    /// <summary>Runs SQL against the service's database file behind its back, as an operator with sqlite3 would.</summary>
    public long ExecuteSql(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar() is long value ? value : 0;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Storemon:Database", DatabasePath);
        builder.UseSetting("Reports:QueuePollInterval", "00:00:00.050");
        builder.UseSetting("Logging:Console:FormatterName", "simple");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        if (Clock is { } clock)
        {
            builder.ConfigureTestServices(services => services.AddSingleton(clock));
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            SqliteConnection.ClearAllPools();
            try
            {
                _folder.Delete(recursive: true);
            }
            catch (IOException)
            {
                // A leftover temporary folder is not a test failure.
            }
        }
    }
}
