using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using NodaTime;
using Storemon.Reports;
using Storemon.Storage;
using Storemon.Storage.Sqlite;

namespace Storemon.Api.Storage;

/// <summary>Which database the service uses: one setting, a SQLite file path by default.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Storemon";

    /// <summary>A SQLite file path (created if missing).</summary>
    [Required]
    public string Database { get; set; } = "storemon.db";
}

internal static class DatabaseSetup
{
    public static WebApplicationBuilder AddStoremonDatabase(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<DatabaseOptions>()
            .Bind(builder.Configuration.GetSection(DatabaseOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IClock>(SystemClock.Instance);
        builder.Services.AddSingleton(services =>
        {
            var store = new SqliteMonitoringStore(services.GetRequiredService<IOptions<DatabaseOptions>>().Value.Database);
            store.Migrate();
            return store;
        });
        builder.Services.AddSingleton<IMonitoringStore>(services => services.GetRequiredService<SqliteMonitoringStore>());
        builder.Services.AddSingleton<IReportStore>(services => services.GetRequiredService<SqliteMonitoringStore>());
        return builder;
    }
}
