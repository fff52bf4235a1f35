using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Storemon.Api.Access;

namespace Storemon.Api.Limits;

/// <summary>
/// Wrong API keys, counted per client address (<see cref="ClientAddress"/>) in fixed windows of
/// Access:FailedKeyWindow: after Access:FailedKeyLimit wrong keys (in the <c>X-Api-Key</c> header or
/// posted to the sign-in page) every request of that address that presents a key is refused with 429
/// until the window ends, a right key too (else the answer would still tell a right key from a wrong
/// one). The refusal is decided before the key is looked at: it costs no hashing and no database.
/// Requests without a key (<c>/health</c>, a page that sends a browser to sign in) are never refused.
/// </summary>
/// <remarks>
/// Each wrong key is logged once, in one line with the address; so is the start of a refusal. While an
/// address is refused its requests log nothing, so that a flood of guesses cannot flood the log.
/// </remarks>
internal sealed partial class FailedKeys : IDisposable
{
    public const string Title = "Too many wrong API keys";

    private readonly AccessOptions _options;
    private readonly ILogger<FailedKeys> _logger;
    private readonly PartitionedRateLimiter<string> _failures;

    public FailedKeys(IOptions<AccessOptions> options, ILogger<FailedKeys> logger)
    {
        _options = options.Value;
        _logger = logger;
        // The framework's fixed windows, one per address, dropped once idle: a failure takes a permit, and a
        // request with a key asks for none, which fails only while the address has none left.
        _failures = _options.FailedKeyLimit == 0
            ? PartitionedRateLimiter.Create<string, string>(_ => RateLimitPartition.GetNoLimiter(""))
            : PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.GetFixedWindowLimiter(address, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = _options.FailedKeyLimit,
                Window = _options.FailedKeyWindow,
                QueueLimit = 0,
            }));
    }

    /// <summary>How long requests with a key from this request's address are still refused; null when they are not.</summary>
    public TimeSpan? Refusal(HttpContext context)
    {
        using var lease = _failures.AttemptAcquire(ClientAddress.Of(context), 0);
        // The framework's fixed window says its whole length: the refusal ends at the latest by then.
        return lease.IsAcquired ? null : lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : _options.FailedKeyWindow;
    }

    /// <summary>The detail of a refusal, before its "Try again in …".</summary>
    public string RefusalDetail => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"Your address sent {_options.FailedKeyLimit} wrong API keys within {TooManyRequests.Describe(_options.FailedKeyWindow)}: its requests with a key are refused for now, with a right key too.");

    /// <summary>Counts a wrong key presented by this request, and logs it (never the key).</summary>
    public void Failed(HttpContext context)
    {
        var address = ClientAddress.Of(context);
        LogWrongKey(address, context.Request.Method, context.Request.Path);
        using var lease = _failures.AttemptAcquire(address, 1);
        if (lease.IsAcquired && _failures.GetStatistics(address)?.CurrentAvailablePermits == 0)
        {
            LogRefusing(address, _options.FailedKeyLimit, _options.FailedKeyWindow);
        }
    }

    public void Dispose() => _failures.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "A wrong API key from {Address}: {Method} {Path}")]
    private partial void LogWrongKey(string address, string method, PathString path);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "{Address} sent {Count} wrong API keys within {Window}: its requests with a key are refused with 429 until the window ends, each without a log line")]
    private partial void LogRefusing(string address, int count, TimeSpan window);
}

internal static class FailedKeysSetup
{
    public static WebApplicationBuilder AddFailedKeyLimit(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<FailedKeys>();
        return builder;
    }

    /// <summary>Refuses the requests with a key of an address that sent too many wrong ones; before authentication, which would hash the key.</summary>
    public static WebApplication UseFailedKeyLimit(this WebApplication app)
    {
        var failedKeys = app.Services.GetRequiredService<FailedKeys>();
        app.Use((context, next) =>
            context.Request.Headers.ContainsKey(AccessSetup.HeaderName) && failedKeys.Refusal(context) is { } wait
                ? TooManyRequests.Write(context, wait, FailedKeys.Title, failedKeys.RefusalDetail)
                : next(context));
        return app;
    }
}
