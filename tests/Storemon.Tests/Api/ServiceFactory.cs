using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;

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

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Storemon:Database", DatabasePath);
        builder.UseSetting("Reports:QueuePollInterval", "00:00:00.050");
        builder.UseSetting("Logging:Console:FormatterName", "simple");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
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
