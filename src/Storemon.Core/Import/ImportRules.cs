using System.Globalization;

namespace Storemon.Import;

/// <summary>
/// What an import accepts beyond the form of its rows: polls at most <see cref="MaxFutureSkew"/> after
/// the service's clock when the import starts. A report's default time is the latest poll, so one
/// device with a wrong clock would otherwise move every store's report to its 2099.
/// </summary>
public sealed class ImportRules
{
    /// <summary>The SPEC's default: a day, room for any honest clock and time-zone mistake.</summary>
    public static readonly TimeSpan DefaultMaxFutureSkew = TimeSpan.FromHours(24);

    /// <summary>The longest future skew a setting may give: beyond it the limit would mean nothing.</summary>
    public static readonly TimeSpan LongestMaxFutureSkew = TimeSpan.FromDays(3650);

    private ImportRules(DateTimeOffset? now, TimeSpan maxFutureSkew)
    {
        Now = now;
        MaxFutureSkew = maxFutureSkew;
        LatestPollMicroseconds = now is { } clock
            ? (Math.Min(clock.UtcTicks + maxFutureSkew.Ticks, DateTime.MaxValue.Ticks) - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMicrosecond
            : long.MaxValue;
    }

    /// <summary>Polls of any time: for data whose times are known good (generated sets, the public snapshots).</summary>
    public static ImportRules AnyTime { get; } = new(null, TimeSpan.Zero);

    /// <summary>The service's clock at the start of the import, or null when poll times are not limited.</summary>
    public DateTimeOffset? Now { get; }

    public TimeSpan MaxFutureSkew { get; }

    /// <summary>The latest poll time accepted, in microseconds since the Unix epoch.</summary>
    public long LatestPollMicroseconds { get; }

    /// <summary>Polls up to <paramref name="maxFutureSkew"/> after <paramref name="now"/>, the clock of the service at import.</summary>
    public static ImportRules At(DateTimeOffset now, TimeSpan maxFutureSkew)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFutureSkew, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxFutureSkew, LongestMaxFutureSkew);
        return new ImportRules(now, maxFutureSkew);
    }

    /// <summary>Why a poll at <paramref name="unixMicroseconds"/> is refused, or null when it is accepted.</summary>
    internal string? FutureProblem(long unixMicroseconds, ReadOnlySpan<char> timestamp) =>
        unixMicroseconds <= LatestPollMicroseconds
            ? null
            : $"timestamp_utc {CsvTable.Quote(timestamp)} is in the future: more than {Describe(MaxFutureSkew)} after this service's clock at import ({Now!.Value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC).";

    /// <summary>A duration as people write it: <c>24 h</c>, <c>90 min</c>, <c>30 s</c>.</summary>
    public static string Describe(TimeSpan span) =>
        span.Ticks % TimeSpan.TicksPerHour == 0 ? string.Create(CultureInfo.InvariantCulture, $"{(long)span.TotalHours} h")
        : span.Ticks % TimeSpan.TicksPerMinute == 0 ? string.Create(CultureInfo.InvariantCulture, $"{(long)span.TotalMinutes} min")
        : string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0.######} s");
}
