namespace Storemon.Api.Health;

/// <summary>
/// A value computed at most once per <paramref name="period"/> of <paramref name="time"/>: what /health
/// does that costs more than a trivial query, however often it is polled. Callers at the same moment
/// share one computation.
/// </summary>
internal sealed class Cached<T>(TimeProvider time, TimeSpan period, Func<T> compute)
{
    private readonly Lock _lock = new();
    private T? _value;
    private DateTimeOffset? _computedAt;

    public T Value
    {
        get
        {
            lock (_lock)
            {
                var now = time.GetUtcNow();
                if (_computedAt is not { } at || now - at >= period || now < at)
                {
                    _value = compute();
                    _computedAt = now;
                }
                return _value!;
            }
        }
    }
}
