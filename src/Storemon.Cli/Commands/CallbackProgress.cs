namespace Storemon.Cli.Commands;

/// <summary>
/// Hands each progress report straight to <paramref name="report"/> on the thread that makes it.
/// (<see cref="Progress{T}"/> posts reports to the thread pool, so they can arrive late and out of order.)
/// </summary>
internal sealed class CallbackProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
