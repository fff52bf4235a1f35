using NodaTime;
using Storemon.Engine;

namespace Storemon.Import;

/// <summary>
/// Reads a business-hours time, <c>HH:MM[:SS[.ffffff]]</c>, as the time since local midnight.
/// </summary>
/// <remarks>
/// A one-digit hour (<c>9:00</c>) is accepted because spreadsheet programs write times that way when
/// they re-save a file. Fractions are kept to the microsecond, as the database does, and truncated
/// beyond. <c>24:00</c> (with zero seconds and fraction, if any) is the end of the day: it is only
/// meaningful as an end time, which the caller checks.
/// </remarks>
internal static class TimeOfDayParser
{
    private static readonly long[] TicksPerFractionDigit = [1_000_000, 100_000, 10_000, 1_000, 100, 10];

    public static bool TryParse(ReadOnlySpan<char> text, out Duration sinceMidnight)
    {
        sinceMidnight = Duration.Zero;
        var colon = text.IndexOf(':');
        if (colon is < 1 or > 2 || !TimestampParser.TryDigits(text, 0, colon, out var hour)
            || text.Length < colon + 3 || !TimestampParser.TryDigits(text, colon + 1, 2, out var minute))
        {
            return false;
        }
        var position = colon + 3;
        var second = 0;
        long fractionTicks = 0;
        var fractionIsZero = true;
        if (position < text.Length)
        {
            if (text[position] != ':' || text.Length < position + 3 || !TimestampParser.TryDigits(text, position + 1, 2, out second))
            {
                return false;
            }
            position += 3;
            if (position < text.Length)
            {
                if (text[position] != '.' || position + 1 == text.Length)
                {
                    return false;
                }
                for (var digit = 0; position + 1 + digit < text.Length; digit++)
                {
                    var c = text[position + 1 + digit];
                    if (!TimestampParser.IsDigit(c))
                    {
                        return false;
                    }
                    fractionIsZero &= c == '0';
                    if (digit < TicksPerFractionDigit.Length)
                    {
                        fractionTicks += (c - '0') * TicksPerFractionDigit[digit];
                    }
                }
            }
        }

        if (hour == 24 && minute == 0 && second == 0 && fractionIsZero)
        {
            sinceMidnight = BusinessHours.MaxEnd;
            return true;
        }
        if (hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }
        sinceMidnight = Duration.FromTicks((hour * 3_600L + minute * 60L + second) * TimeSpan.TicksPerSecond + fractionTicks);
        return true;
    }
}
