using Microsoft.Playwright;

namespace Storemon.Tests.Browser;

/// <summary>
/// The browser of the page tests: Debian's <c>chromium</c> (or the executable in
/// <c>STOREMON_CHROMIUM</c>) driven by Playwright through its path, headless; Playwright's own browser
/// download is not used. Without the browser the tests are skipped with the reason, except under
/// <c>CI=true</c>, where a browser that cannot start fails them.
/// </summary>
internal sealed class Chromium : IAsyncDisposable
{
    public const string ExecutableVariable = "STOREMON_CHROMIUM";

    private readonly IPlaywright _playwright;

    private Chromium(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    public static string Executable => Environment.GetEnvironmentVariable(ExecutableVariable) is { Length: > 0 } path ? path : "/usr/bin/chromium";

    /// <summary>Starts the browser, or skips the test (fails it under CI) when there is none.</summary>
    public static async Task<Chromium> Start()
    {
        var ci = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        if (!File.Exists(Executable))
        {
            var reason = $"no browser at {Executable} (apt-get install chromium, or set {ExecutableVariable})";
            Assert.False(ci, reason);
            Skip.If(true, reason);
        }
        var playwright = await Playwright.CreateAsync();
        try
        {
            // As root (CI), Chromium's sandbox cannot start; the pages are the service's own.
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = Executable,
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
            });
            return new Chromium(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
    }
}
