using NodaTime;
using Storemon.Engine;

namespace Storemon.Reports;

/// <summary>What a report is asked for: the report time (null for the latest poll) and the interpolation.</summary>
public sealed record ReportRequest(Instant? AsOf = null, Interpolation Interpolation = Interpolation.Nearest);

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
