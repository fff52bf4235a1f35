using Npgsql;
using Storemon.Storage.Postgres;

namespace Storemon.Tests.Postgres;

/// <summary>
/// The PostgreSQL server these tests run against: <c>STOREMON_TEST_POSTGRES</c> holds a connection
/// string to a database on it (such as <c>postgres</c>), through which each test makes a database of
/// its own. Without it the tests are skipped with the reason, except under <c>CI=true</c>, where they
/// run and fail: CI must not pass on tests it did not run.
/// </summary>
internal static class PostgresServer
{
    public const string Variable = "STOREMON_TEST_POSTGRES";

    private static readonly Lazy<string?> Unreachable = new(Probe);

    public static string? ConnectionString => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value ? value : null;

    private static bool OnCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Why the PostgreSQL tests are skipped here, or null when they run.</summary>
    public static string? SkipReason => OnCi ? null : Unreachable.Value;

    /// <summary>The maintenance connection string, or an exception saying why there is none (a failure under CI).</summary>
    public static string Require() =>
        Unreachable.Value is { } reason ? throw new InvalidOperationException($"PostgreSQL tests cannot run: {reason}") : ConnectionString!;

    private static string? Probe()
    {
        if (ConnectionString is not { } connectionString)
        {
            return $"{Variable} is not set (set it to a PostgreSQL connection string; bench/postgres.sh start prints one)";
        }
        try
        {
            using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Timeout = 5 }.ConnectionString);
            connection.Open();
            return null;
        }
        catch (Exception e) when (e is NpgsqlException or ArgumentException or TimeoutException)
        {
            return $"the PostgreSQL server of {Variable} does not answer: {e.Message}";
        }
    }
}

/// <summary>A test that needs PostgreSQL: skipped with the reason where there is none, except under CI.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (PostgresServer.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>A theory that needs PostgreSQL: skipped with the reason where there is none, except under CI.</summary>
public sealed class PostgresTheoryAttribute : TheoryAttribute
{
    public PostgresTheoryAttribute()
    {
        if (PostgresServer.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>A database of one test's own on the test server, made empty and migrated, dropped afterwards.</summary>
public sealed class PostgresTestDatabase : IDisposable
{
    private readonly string _maintenance = PostgresServer.Require();
    private readonly string _name = "storemon_test_" + Guid.NewGuid().ToString("N")[..12];

    public PostgresTestDatabase()
    {
        ConnectionString = PostgresDatabases.CreateFresh(_maintenance, _name);
        Store = new PostgresMonitoringStore(ConnectionString);
        Store.Migrate();
    }

    public string ConnectionString { get; }

    public PostgresMonitoringStore Store { get; }

    public object? Scalar(string sql)
    {
        using var connection = new NpgsqlConnection(ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        return command.ExecuteScalar();
    }

    /// <summary>Runs one statement on its own (VACUUM, for one, refuses to run in a transaction).</summary>
    public void Execute(string sql)
    {
        using var connection = new NpgsqlConnection(ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    public long Count(string sql) => Convert.ToInt64(Scalar(sql), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The first column of every row of <paramref name="sql"/>, as text.</summary>
    public IReadOnlyList<string> Rows(string sql)
    {
        using var connection = new NpgsqlConnection(ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
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
        PostgresDatabases.Drop(_maintenance, _name);
    }
}
