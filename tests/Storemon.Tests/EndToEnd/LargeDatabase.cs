using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Storemon.Generate;
using Storemon.Storage.Sqlite;
using Storemon.Tests.Api;

namespace Storemon.Tests.EndToEnd;

/// <summary>
/// A database large enough that a report takes a few seconds in the service (made-up stores with a
/// week of polls), made once for a test class; each test runs the service over its own copy.
/// </summary>
public sealed class LargeDatabase : IDisposable
{
    /// <summary>About 200 polls per store: some 5M poll rows, a report of a few seconds in a debug build.</summary>
    public const int Stores = 25_000;

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("storemon-e2e-data-");

    public LargeDatabase()
    {
        var started = Stopwatch.StartNew();
        var data = SyntheticDataSet.Create(new GeneratorOptions { Stores = Stores, Span = TimeSpan.FromDays(7.75), Seed = 11 });
        using (var store = new SqliteMonitoringStore(Path))
        {
            store.Migrate();
            PollRows = GeneratedData.Import(store, data);
        }
        // The last connection to close checkpoints the WAL, so the file alone holds the data.
        SqliteConnection.ClearAllPools();
        PreparedIn = started.Elapsed;
    }

    public string Path => System.IO.Path.Combine(_folder.FullName, "source.db");

    public int PollRows { get; }

    public TimeSpan PreparedIn { get; }

    /// <summary>Copies the database into <paramref name="folder"/> as storemon.db and returns its path.</summary>
    public string CopyTo(string folder)
    {
        var copy = System.IO.Path.Combine(folder, "storemon.db");
        File.Copy(Path, copy);
        return copy;
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
    }
}
