namespace Storemon.Tests.Databases;

/// <summary>
/// The base of tests that run on every kind of database: the tests are written once in an abstract
/// class deriving from this, and a <c>…_Sqlite</c> and a <c>…_Postgres</c> class run them each on a
/// fresh database of their kind, one per test.
/// </summary>
public abstract class DatabaseTest(DatabaseKind kind) : IDisposable
{
    protected TestDatabase Db { get; } = TestDatabase.Create(kind);

    public void Dispose()
    {
        Db.Dispose();
        GC.SuppressFinalize(this);
    }
}
