using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Storemon.Tests.Api;

/// <summary>Every log message the service writes, at every level, with its level, its category and any exception.</summary>
internal sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<(LogLevel Level, string Text, string Category, Exception? Exception)> _messages = new();

    public IReadOnlyList<(LogLevel Level, string Text, string Category, Exception? Exception)> Messages => [.. _messages];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs logs, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            logs._messages.Enqueue((logLevel, $"{formatter(state, exception)} {state} {exception}", category, exception));
    }
}
