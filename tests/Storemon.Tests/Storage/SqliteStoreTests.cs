using Microsoft.Data.Sqlite;
using Storemon.Storage;
using Storemon.Storage.Sqlite;

namespace Storemon.Tests.Storage;

public sealed class SqliteStoreTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("storemon-storage-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public void A_database_deleted_and_made_anew_under_the_same_path_is_written_to_the_new_file()
    {
        var path = Path.Combine(_folder.FullName, "storemon.db");
        using (var first = new SqliteMonitoringStore(path))
        {
            first.Migrate();
            first.WritePolls([new PollRow("old", 1_000_000, true)], CancellationToken.None);
        }
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            File.Delete(path + suffix);
        }

        using (var second = new SqliteMonitoringStore(path))
        {
            second.Migrate();
            second.WritePolls([new PollRow("new", 2_000_000, false)], CancellationToken.None);
        }

        // Read the file itself, through a connection of its own that no pool could have kept.
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT group_concat(s.external_id || ':' || p.observed_at || ':' || p.active) FROM poll p JOIN store s USING (store_key)";
        Assert.Equal("new:2000000:0", command.ExecuteScalar());
    }
}
