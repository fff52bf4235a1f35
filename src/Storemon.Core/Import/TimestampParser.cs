using NodaTime;
using NodaTime.Text;

namespace Storemon.Import;

/// <summary>
/// Reads a poll's <c>timestamp_utc</c> into microseconds since the Unix epoch.
/// </summary>
/// <remarks>
/// Almost every row of a status file looks like <c>2023-01-22 12:09:39.388884 UTC</c>, and there are
/// millions of them, so that form (and the same with <c>T</c>, with <c>Z</c>, or with no zone at all,
/// the column being UTC by name) is read by hand from the span without allocating. Anything else,
/// chiefly ISO 8601 with an offset such as <c>2024-10-07T14:09:39+02:00</c>, goes to NodaTime's ISO
/// pattern and is converted to UTC. The database keeps microseconds, so a fraction finer than that
/// (7 to 9 digits in ISO form, any number in the common form) is truncated, not rounded: a poll never
/// moves later than it was observed.
/// </remarks>
public static class TimestampParser
{
    private const long MicrosecondsPerSecond = 1_000_000;
    private const int FractionDigitsKept = 6;

    private static readonly OffsetDateTimePattern IsoWithT = OffsetDateTimePattern.ExtendedIso;
    private static readonly OffsetDateTimePattern IsoWithSpace =
        OffsetDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd' 'HH':'mm':'ss;FFFFFFFFFo<G>");

    private static readonly int[] PowersOfTen = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000];

    /// <summary>Reads any timestamp form the SPEC accepts into microseconds since the Unix epoch, UTC.</summary>
    public static bool TryParseUnixMicroseconds(ReadOnlySpan<char> text, out long unixMicroseconds) =>
        TryParseUnixMicroseconds(text, out unixMicroseconds, out _);

    /// <summary>
    /// The same, and whether a timestamp that failed was well formed but outside what the service can
    /// represent: UTC years 1 to 9999, what both databases keep (9999-12-31T23:59:59-01:00 is in year
    /// 10000 once in UTC). Such a timestamp is a bad row like any other, never a failed file.
    /// </summary>
    public static bool TryParseUnixMicroseconds(ReadOnlySpan<char> text, out long unixMicroseconds, out bool outOfRange)
    {
        outOfRange = false;
        if (!TryParseCommon(text, out unixMicroseconds) && !TryParseIso(text, out unixMicroseconds, out outOfRange))
        {
            return false;
        }
        if (unixMicroseconds < FirstMicrosecond || unixMicroseconds > LastMicrosecond)
        {
            outOfRange = true;
            unixMicroseconds = 0;
            return false;
        }
        return true;
    }

    private static readonly long FirstMicrosecond = (DateTime.MinValue.Ticks - DateTime.UnixEpoch.Ticks) / 10;
    private static readonly long LastMicrosecond = (DateTime.MaxValue.Ticks - DateTime.UnixEpoch.Ticks) / 10;

    /// <summary>The same, as an instant (for report times and other single values given by people).</summary>
    public static bool TryParseInstant(ReadOnlySpan<char> text, out Instant instant)
    {
        var parsed = TryParseUnixMicroseconds(text.Trim(), out var micros);
        instant = parsed ? Instant.FromUnixTimeTicks(micros * Engine.Poll.TicksPerMicrosecond) : default;
        return parsed;
    }

    /// <summary><c>yyyy-MM-dd[ T]HH:mm:ss[.f…]</c> followed by <c> UTC</c>, <c>Z</c> or nothing.</summary>
    internal static bool TryParseCommon(ReadOnlySpan<char> text, out long unixMicroseconds)
    {
        unixMicroseconds = 0;
        if (text.Length < 19 || text[4] != '-' || text[7] != '-' || (text[10] != ' ' && text[10] != 'T')
            || text[13] != ':' || text[16] != ':')
        {
            return false;
        }
        if (!TryDigits(text, 0, 4, out var year) || !TryDigits(text, 5, 2, out var month) || !TryDigits(text, 8, 2, out var day)
            || !TryDigits(text, 11, 2, out var hour) || !TryDigits(text, 14, 2, out var minute) || !TryDigits(text, 17, 2, out var second))
        {
            return false;
        }
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        var position = 19;
        var fraction = 0;
        if (position < text.Length && text[position] == '.')
        {
            var digits = 0;
            position++;
            while (position < text.Length && IsDigit(text[position]))
            {
                if (digits < FractionDigitsKept)
                {
                    fraction = fraction * 10 + (text[position] - '0');
                }
                digits++;
                position++;
            }
            if (digits == 0)
            {
                return false;
            }
            if (digits < FractionDigitsKept)
            {
                fraction *= PowersOfTen[FractionDigitsKept - digits];
            }
        }

        var zone = text[position..];
        if (!(zone.IsEmpty || zone.Equals(" UTC", StringComparison.OrdinalIgnoreCase) || zone.Equals("Z", StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }

        var seconds = DaysSinceUnixEpoch(year, month, day) * 86_400L + hour * 3_600L + minute * 60L + second;
        unixMicroseconds = seconds * MicrosecondsPerSecond + fraction;
        return true;
    }

    private static bool TryParseIso(ReadOnlySpan<char> text, out long unixMicroseconds, out bool outOfRange)
    {
        unixMicroseconds = 0;
        outOfRange = false;
        if (text.Length < 19)
        {
            return false;
        }
        var value = text.ToString();
        var result = (text[10] == ' ' ? IsoWithSpace : IsoWithT).Parse(value);
        if (!result.Success)
        {
            return false;
        }
        // Computed in DateTime's ticks, which end with UTC years 1 and 9999: a local time that an offset
        // moves past either end (9999-12-31T23:59:59-01:00) is out of range, not an overflow.
        var local = result.Value.LocalDateTime;
        if (local.Year < 1)
        {
            outOfRange = true;
            return false;
        }
        var utcTicks = local.ToDateTimeUnspecified().Ticks - result.Value.Offset.Ticks;
        if (utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks)
        {
            outOfRange = true;
            return false;
        }
        // Ticks are already truncated towards the start of time; flooring to microseconds keeps that direction.
        unixMicroseconds = Math.DivRem(utcTicks - DateTime.UnixEpoch.Ticks, 10, out var remainder) - (remainder < 0 ? 1 : 0);
        return true;
    }

    /// <summary>Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil), without building a DateTime.</summary>
    private static long DaysSinceUnixEpoch(int year, int month, int day)
    {
        var y = month <= 2 ? year - 1 : year;
        var era = y / 400;
        var yearOfEra = y - era * 400;
        var dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
        var dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
        return era * 146_097L + dayOfEra - 719_468;
    }

    internal static bool TryDigits(ReadOnlySpan<char> text, int start, int count, out int value)
    {
        value = 0;
        for (var i = start; i < start + count; i++)
        {
            var digit = (uint)(text[i] - '0');
            if (digit > 9)
            {
                return false;
            }
            value = value * 10 + (int)digit;
        }
        return true;
    }

    internal static bool IsDigit(char c) => (uint)(c - '0') <= 9;
}
