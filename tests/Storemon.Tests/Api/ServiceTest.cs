using Storemon.Tests.Databases;

namespace Storemon.Tests.Api;

/// <summary>
/// A class of API tests in which every test gets its own service over its own database (xunit makes
/// a new instance per test), and a client that sends no key. The tests are written once in an abstract
/// class deriving from this, and a <c>…_Sqlite</c> and a <c>…_Postgres</c> class run them on each database.
/// </summary>
public abstract class ServiceTest : IDisposable
{
    private HttpClient? _client;

    protected ServiceTest(DatabaseKind kind, params (string Key, string Value)[] settings)
    {
        Kind = kind;
        Service = new ServiceFactory(kind, settings);
    }

    protected DatabaseKind Kind { get; }

    protected ServiceFactory Service { get; }

    /// <summary>The service's database, read and changed behind its back.</summary>
    protected TestDatabase Db => Service.Database;

    /// <summary>A client without a key; the service starts with the first use.</summary>
    protected HttpClient Client => _client ??= Service.CreateClient();

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _client?.Dispose();
            Service.Dispose();
        }
    }
}
