using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Storemon.Storage.Sqlite;

/// <summary>
/// A prepared statement driven through SQLite's own C API, on a connection that
/// Microsoft.Data.Sqlite opened (and whose transaction it therefore joins).
/// </summary>
/// <remarks>
/// Used only where millions of rows pass: the poll import and the report's poll scan. There the
/// ADO.NET reader's per-value bookkeeping costs as much as SQLite itself, and the raw calls halve the
/// time of a report.
/// </remarks>
internal sealed class RawStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;

    public RawStatement(SqliteConnection connection, string sql)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        Check(raw.sqlite3_prepare_v2(_db, sql, out _statement));
    }

    public void Bind(int index, long value) => Check(raw.sqlite3_bind_int64(_statement, index, value));

    public void Bind(int index, string value) => Check(raw.sqlite3_bind_text(_statement, index, value));

    /// <summary>Steps once; true while there is a row to read.</summary>
    public bool Step()
    {
        var rc = raw.sqlite3_step(_statement);
        if (rc == raw.SQLITE_ROW)
        {
            return true;
        }
        if (rc != raw.SQLITE_DONE)
        {
            Check(rc);
        }
        return false;
    }

    /// <summary>Runs a statement that returns no rows and makes it ready to run again.</summary>
    public void Execute()
    {
        Step();
        Reset();
    }

    public void Reset() => raw.sqlite3_reset(_statement);

    public long Int64(int column) => raw.sqlite3_column_int64(_statement, column);

    public bool IsNull(int column) => raw.sqlite3_column_type(_statement, column) == raw.SQLITE_NULL;

    public string String(int column) => raw.sqlite3_column_text(_statement, column).utf8_to_string();

    public void Dispose() => raw.sqlite3_finalize(_statement);

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }
    }
}
