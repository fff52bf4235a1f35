using NodaTime;
using NodaTime.Text;

namespace Storemon;

/// <summary>Durations as people give them, in ISO 8601: <c>PT2H</c>, <c>PT90M</c>, <c>P1DT12H</c>.</summary>
public static class IsoDurations
{
    /// <summary>
    /// Reads an ISO 8601 duration without years or months (whose length varies), a day being 24 hours;
    /// surrounding blanks are ignored. False when it is not one.
    /// </summary>
    public static bool TryParse(string? text, out Duration duration)
    {
        duration = default;
        var parsed = PeriodPattern.NormalizingIso.Parse(text?.Trim() ?? "");
        if (!parsed.Success || parsed.Value.Years != 0 || parsed.Value.Months != 0)
        {
            return false;
        }
        duration = parsed.Value.ToDuration();
        return true;
    }
}
