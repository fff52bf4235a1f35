using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Storemon.Storage.Sqlite;

namespace Storemon.Tests.Import;

/// <summary>A fresh SQLite database file in its own temporary folder, with a place for the CSV files a test writes.</summary>
public sealed class TestDatabase : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("storemon-import-").FullName;

    public TestDatabase()
    {
        DatabasePath = Path.Combine(_folder, "storemon.db");
        Store = new SqliteMonitoringStore(DatabasePath);
        Store.Migrate();
    }

    public string DatabasePath { get; }

    public SqliteMonitoringStore Store { get; }

    /// <summary>Writes <paramref name="content"/> as UTF-8 without a byte-order mark, exactly as given, and returns its path.</summary>
    public string WriteCsv(string name, string content) => WriteCsv(name, new UTF8Encoding(false).GetBytes(content));

    public string WriteCsv(string name, byte[] content)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    public long Count(string table) => Scalar($"SELECT count(*) FROM {table}");

    public long Scalar(string sql)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>The polls of one store as <c>observed_at:active</c>, in time order.</summary>
    public IReadOnlyList<string> Polls(string storeId) => Rows($"""
        SELECT p.observed_at || ':' || p.active FROM poll p JOIN store s USING (store_key)
        WHERE s.external_id = '{storeId}' ORDER BY p.observed_at
        """);

    /// <summary>The hours of one store as <c>day start_us-end_us</c>, in order.</summary>
    public IReadOnlyList<string> Hours(string storeId) => Rows($"""
        SELECT h.day_of_week || ' ' || h.start_us || '-' || h.end_us FROM business_hours h JOIN store s USING (store_key)
        WHERE s.external_id = '{storeId}' ORDER BY h.day_of_week, h.start_us, h.end_us
        """);

    public string? TimeZone(string storeId)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT time_zone FROM store WHERE external_id = $id";
        command.Parameters.AddWithValue("$id", storeId);
        return command.ExecuteScalar() as string;
    }

    /// <summary>Every row of every table, as text: two equal dumps mean an unchanged database.</summary>
    public IReadOnlyList<string> Dump() =>
    [
        .. Rows("SELECT 'store ' || store_key || ' ' || external_id || ' ' || coalesce(time_zone, '-') FROM store ORDER BY store_key"),
        .. Rows("SELECT 'hours ' || store_key || ' ' || day_of_week || ' ' || start_us || ' ' || end_us FROM business_hours ORDER BY 1"),
        .. Rows("SELECT 'poll ' || store_key || ' ' || observed_at || ' ' || active FROM poll ORDER BY store_key, observed_at"),
    ];

    public IReadOnlyList<string> Rows(string sql)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(reader.GetString(0));
        }
        return rows;
    }

    public void Dispose()
    {
        Store.Dispose();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary folder is not a test failure.
        }
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }
}
