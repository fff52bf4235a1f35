using NodaTime;

namespace Storemon.Engine;

/// <summary>
/// One weekly business-hours row: on <see cref="Day"/>, from <see cref="Start"/> to <see cref="End"/>
/// local wall-clock time, both measured from local midnight.
/// </summary>
/// <remarks>
/// Times are durations since midnight rather than <see cref="LocalTime"/> because an end of
/// <c>24:00:00</c> is allowed and means the following midnight.
/// </remarks>
public readonly record struct BusinessHours(IsoDayOfWeek Day, Duration Start, Duration End)
{
    public static readonly Duration MaxEnd = Duration.FromDays(1);

    /// <summary>Builds a row from the SPEC's numbering: 0 = Monday … 6 = Sunday.</summary>
    public static BusinessHours FromSpecDay(int dayOfWeek, Duration start, Duration end)
    {
        if (dayOfWeek is < 0 or > 6)
        {
            throw new ArgumentOutOfRangeException(nameof(dayOfWeek), dayOfWeek, "dayOfWeek must be 0 (Monday) to 6 (Sunday).");
        }
        return new BusinessHours((IsoDayOfWeek)(dayOfWeek + 1), start, end);
    }

    /// <summary>The SPEC's day number: 0 = Monday … 6 = Sunday.</summary>
    public int SpecDay => (int)Day - 1;

    /// <summary>
    /// The local wall-clock interval this row opens on <paramref name="date"/> (which must fall on
    /// <see cref="Day"/>). An end before the start crosses midnight into the next day; an end equal to
    /// the start means open for 24 hours from the start.
    /// </summary>
    public (LocalDateTime Start, LocalDateTime End) On(LocalDate date)
    {
        var midnight = date.AtMidnight();
        var start = midnight.PlusTicks(Start.BclCompatibleTicks);
        var end = Start < End ? midnight.PlusTicks(End.BclCompatibleTicks)
            : Start > End ? midnight.PlusDays(1).PlusTicks(End.BclCompatibleTicks)
            : start.PlusDays(1);
        return (start, end);
    }
}
