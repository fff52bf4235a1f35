using NodaTime;
using NodaTime.Text;
using Storemon.Engine;

namespace Storemon.Reports;

/// <summary>
/// What a report is asked for: the report time (null for the latest poll), the interpolation, and the
/// staleness limit (null: every poll extrapolated over its whole segment, no unknown time).
/// </summary>
public sealed record ReportRequest(Instant? AsOf = null, Interpolation Interpolation = Interpolation.Nearest, Duration? MaxGap = null);

/// <summary>The staleness limit <c>max_gap</c> as callers write it: an ISO 8601 duration, 1 minute to 7 days.</summary>
public static class MaxGaps
{
    public static readonly Duration Shortest = Duration.FromMinutes(1);
    public static readonly Duration Longest = Duration.FromDays(7);

    /// <summary>What the error messages say a limit may be.</summary>
    public const string Allowed = "an ISO 8601 duration from PT1M (1 minute) to P7D (7 days), such as PT2H";

    /// <summary>
    /// Reads an ISO 8601 duration (<c>PT2H</c>, <c>PT90M</c>, <c>P1DT12H</c>; no years or months, whose
    /// length varies) within the allowed range. A fraction finer than a microsecond is dropped, as a
    /// poll's is: the limit is kept in microseconds.
    /// </summary>
    public static bool TryParse(string? text, out Duration gap)
    {
        gap = default;
        if (!IsoDurations.TryParse(text, out var duration))
        {
            return false;
        }
        gap = Duration.FromTicks(duration.BclCompatibleTicks / Poll.TicksPerMicrosecond * Poll.TicksPerMicrosecond);
        return gap >= Shortest && gap <= Longest;
    }

    /// <summary>The limit as an ISO 8601 duration, the way <see cref="TryParse"/> reads it back (<c>PT2H</c>).</summary>
    public static string Format(Duration gap) =>
        PeriodPattern.NormalizingIso.Format(Period.FromTicks(gap.BclCompatibleTicks).Normalize());
}

/// <summary>The names of the interpolations as callers write them, the same on the command line and in the API.</summary>
public static class InterpolationNames
{
    public const string Nearest = "nearest";
    public const string CarryForward = "carry-forward";

    /// <summary>What the error messages list: every name a caller may write.</summary>
    public const string Allowed = $"{Nearest} or {CarryForward}";

    /// <summary>The name of <paramref name="interpolation"/> as callers write it.</summary>
    public static string Name(Interpolation interpolation) => interpolation switch
    {
        Interpolation.Nearest => Nearest,
        Interpolation.CarryForward => CarryForward,
        _ => throw new ArgumentOutOfRangeException(nameof(interpolation), interpolation, null),
    };

    /// <summary>
    /// Reads a name, regardless of case and surrounding blanks; <c>carryforward</c> (without the hyphen)
    /// is taken for carry-forward too, as earlier versions of the API took it.
    /// </summary>
    public static bool TryParse(string? text, out Interpolation interpolation)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case Nearest:
                interpolation = Interpolation.Nearest;
                return true;
            case CarryForward or "carryforward":
                interpolation = Interpolation.CarryForward;
                return true;
            default:
                interpolation = Interpolation.Nearest;
                return false;
        }
    }
}
