namespace Storemon.Tests.Api;

/// <summary>
/// A class of API tests in which every test gets its own service over its own database (xunit makes
/// a new instance per test), and a client that sends no key.
/// </summary>
public abstract class ServiceTest : IDisposable
{
    private HttpClient? _client;

    protected ServiceTest(params (string Key, string Value)[] settings) => Service = new ServiceFactory(settings);

    protected ServiceFactory Service { get; }

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
