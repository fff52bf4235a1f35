using System.CommandLine;
using Storemon.Storage;

namespace Storemon.Cli.Commands;

/// <summary>Options that several commands share, spelled the same everywhere.</summary>
internal static class CommonOptions
{
    public static Option<string> Database() => new("--db")
    {
        Description = "The database: a SQLite file path (created if missing), or a PostgreSQL connection string (Host=…;Database=…, or postgresql://user@host/db).",
        Required = true,
    };

    /// <summary>Opens the database named by --db and brings its schema up to date.</summary>
    public static IStoremonDatabase OpenStore(string database)
    {
        var store = MonitoringStores.Open(database);
        store.Migrate();
        return store;
    }
}
