using Npgsql;
using Storemon.Storage;
using Storemon.Storage.Postgres;
using Storemon.Storage.Sqlite;

namespace Storemon.Tests.Postgres;

/// <summary>One setting names the database: a SQLite file path, or a PostgreSQL connection string in either of its forms.</summary>
public sealed class DatabaseSettingTests
{
    [Theory]
    [InlineData("Host=db;Database=storemon", true)]
    [InlineData("host = db.internal ; Port=5433", true)]
    [InlineData("Database=storemon;HOST=10.0.0.5", true)]
    [InlineData("postgresql://app@db/storemon", true)]
    [InlineData("postgres://db", true)]
    [InlineData("storemon.db", false)]
    [InlineData("/var/lib/storemon/Host=1/storemon.db", false)]
    [InlineData("data/postgres.db", false)]
    public void A_connection_string_means_PostgreSQL_and_anything_else_a_SQLite_file(string setting, bool postgres) =>
        Assert.Equal(postgres, MonitoringStores.IsPostgres(setting));

    [Fact]
    public void Open_picks_the_implementation_from_the_setting()
    {
        using (var postgres = MonitoringStores.Open("Host=127.0.0.1;Port=1;Database=nowhere"))
        {
            Assert.IsType<PostgresMonitoringStore>(postgres);
        }
        var folder = Directory.CreateTempSubdirectory("storemon-setting-");
        try
        {
            using var sqlite = MonitoringStores.Open(Path.Combine(folder.FullName, "storemon.db"));
            Assert.IsType<SqliteMonitoringStore>(sqlite);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_URI_becomes_Npgsql_keywords_with_its_parts_decoded()
    {
        var keywords = new NpgsqlConnectionStringBuilder(PostgresConnectionString.Normalize(
            "postgresql://report%40ops:p%3Ass@db.example.com:6543/store%20mon?sslmode=verify-full&application_name=storemon%20worker&connect_timeout=7"));

        Assert.Equal("db.example.com", keywords.Host);
        Assert.Equal(6543, keywords.Port);
        Assert.Equal("report@ops", keywords.Username);
        Assert.Equal("p:ss", keywords.Password);
        Assert.Equal("store mon", keywords.Database);
        Assert.Equal(SslMode.VerifyFull, keywords.SslMode);
        Assert.Equal("storemon worker", keywords.ApplicationName);
        Assert.Equal(7, keywords.Timeout);
    }

    [Theory]
    [InlineData("postgres://db", "db", 5432, null)]
    [InlineData("postgres://[::1]:5433/x", "::1", 5433, "x")]
    [InlineData("postgresql://a:5432,b:5433/x", "a:5432,b:5433", 5432, "x")]
    public void A_URI_may_leave_parts_out_or_name_several_hosts(string uri, string host, int port, string? database)
    {
        var keywords = new NpgsqlConnectionStringBuilder(PostgresConnectionString.Normalize(uri));
        Assert.Equal(host, keywords.Host);
        Assert.Equal(port, keywords.Port);
        Assert.Equal(database, keywords.Database);
    }

    [Fact]
    public void Keywords_pass_through_and_a_bad_setting_is_refused()
    {
        Assert.Equal("db", new NpgsqlConnectionStringBuilder(PostgresConnectionString.Normalize("Host=db;Database=storemon")).Host);
        Assert.Throws<ArgumentException>(() => PostgresConnectionString.Normalize("Host=db;Colour=blue"));
        Assert.Throws<ArgumentException>(() => PostgresConnectionString.Normalize("postgresql://db:port/x"));
    }
}
