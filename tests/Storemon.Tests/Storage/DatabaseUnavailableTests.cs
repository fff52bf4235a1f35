using Microsoft.Data.Sqlite;
using Npgsql;
using Storemon.Storage;
using Storemon.Tests.Databases;
using Storemon.Tests.Generate;

namespace Storemon.Tests.Storage;

/// <summary>
/// Which errors say that the database does not answer (a 503 and a report run again) rather than
/// that something is wrong (a 500, a failed report): each from a real server or file.
/// </summary>
public sealed class DatabaseUnavailableTests
{
    [Fact]
    public void A_refused_PostgreSQL_connection_is_the_database_not_answering()
    {
        var nobody = new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = ThrowawayPostgres.FreePort(), Username = "postgres", Timeout = 10, Pooling = false };
        using var connection = new NpgsqlConnection(nobody.ConnectionString);

        var refused = Assert.ThrowsAny<NpgsqlException>(connection.Open);

        Assert.True(DatabaseUnavailable.IsCause(refused), refused.ToString());
        // However deep a caller (the job queue's client, a task) wraps it.
        Assert.True(DatabaseUnavailable.IsCause(new InvalidOperationException("Background job creation failed.", refused)));
        Assert.True(DatabaseUnavailable.IsCause(new AggregateException(new InvalidDataException("other"), refused)));
    }

    [Fact]
    public void A_session_ended_by_the_server_is_the_database_not_answering()
    {
        using var database = TestDatabase.Create(DatabaseKind.Postgres);

        // What every session sees when the server shuts down: 57P01, and its connection closed.
        var ended = Assert.Throws<PostgresException>(() => database.Execute("SELECT pg_terminate_backend(pg_backend_pid())"));

        Assert.Equal(PostgresErrorCodes.AdminShutdown, ended.SqlState);
        Assert.True(DatabaseUnavailable.IsCause(ended));
    }

    [Theory]
    [InlineData("57P03", true)]    // cannot connect now: the server is starting or stopping
    [InlineData("57P02", true)]    // crash shutdown
    [InlineData("08006", true)]    // connection failure
    [InlineData("40001", false)]   // serialization failure: transient to Npgsql, but the database answered
    [InlineData("40P01", false)]   // deadlock detected: likewise
    [InlineData("53100", false)]   // disk full: the database answered, and waiting will not help
    [InlineData("57014", false)]   // query cancelled
    [InlineData("57P04", false)]   // database dropped: it will not come back
    [InlineData("42P01", false)]   // undefined table: a fault of the service
    public void A_PostgreSQL_error_means_the_database_does_not_answer_only_for_connection_and_shutdown_states(string sqlState, bool unavailable)
    {
        using var database = TestDatabase.Create(DatabaseKind.Postgres);

        var error = Assert.Throws<PostgresException>(() => database.Execute($"DO $$ BEGIN RAISE EXCEPTION 'raised' USING ERRCODE = '{sqlState}'; END $$"));

        Assert.Equal(sqlState, error.SqlState);
        Assert.Equal(unavailable, DatabaseUnavailable.IsCause(error));
    }

    [Fact]
    public void A_SQLite_file_locked_by_another_connection_is_the_database_not_answering_but_a_broken_constraint_is_not()
    {
        using var folder = new TempDirectory();
        var file = new SqliteConnectionStringBuilder { DataSource = folder.File("busy.db"), Pooling = false }.ConnectionString;
        using var holder = new SqliteConnection(file);
        holder.Open();
        Run(holder, "CREATE TABLE t (id INTEGER PRIMARY KEY); INSERT INTO t VALUES (1); BEGIN IMMEDIATE");
        using var other = new SqliteConnection(file);
        other.Open();

        var busy = Assert.Throws<SqliteException>(() => Run(other, "INSERT INTO t VALUES (2)", timeoutSeconds: 1));
        Run(holder, "ROLLBACK");
        var duplicate = Assert.Throws<SqliteException>(() => Run(other, "INSERT INTO t VALUES (1)"));

        Assert.Equal(5, busy.SqliteErrorCode); // SQLITE_BUSY
        Assert.True(DatabaseUnavailable.IsCause(busy));
        Assert.Equal(19, duplicate.SqliteErrorCode); // SQLITE_CONSTRAINT
        Assert.False(DatabaseUnavailable.IsCause(duplicate));
    }

    [Fact]
    public void Other_errors_are_not_the_database_not_answering()
    {
        Assert.False(DatabaseUnavailable.IsCause(null));
        Assert.False(DatabaseUnavailable.IsCause(new InvalidOperationException("a fault")));
        Assert.False(DatabaseUnavailable.IsCause(new AggregateException(new InvalidDataException("bad zone"))));
        Assert.False(DatabaseUnavailable.IsCause(new TimeoutException("not from a database")));
    }

    private static void Run(SqliteConnection connection, string sql, int timeoutSeconds = 30)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = timeoutSeconds;
        command.ExecuteNonQuery();
    }
}
