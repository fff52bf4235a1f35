using NodaTime;

namespace Storemon.Engine;

/// <summary>
/// The report time T and the three windows that end at it: last hour <c>[T − 1 h, T)</c>, last day
/// <c>[T − 24 h, T)</c> and last week <c>[T − 168 h, T)</c>, in real (UTC) time, so a day that
/// contains a daylight-saving change is still 24 real hours.
/// </summary>
public readonly record struct ReportWindow(Instant AsOf)
{
    public static readonly Duration Hour = Duration.FromHours(1);
    public static readonly Duration Day = Duration.FromHours(24);
    public static readonly Duration Week = Duration.FromHours(168);

    public Instant HourStart => AsOf - Hour;
    public Instant DayStart => AsOf - Day;
    public Instant WeekStart => AsOf - Week;

    public long EndTicks => AsOf.ToUnixTimeTicks();
    public long HourStartTicks => HourStart.ToUnixTimeTicks();
    public long DayStartTicks => DayStart.ToUnixTimeTicks();
    public long WeekStartTicks => WeekStart.ToUnixTimeTicks();

    /// <summary>
    /// The instants whose local times a report may convert: from two local days before the week
    /// (an overnight or 24-hour interval that starts the day before can reach into the week) to a day
    /// after T, with a day's margin for the largest UTC offsets.
    /// </summary>
    public Interval ClockRange => new(WeekStart - Duration.FromDays(3), AsOf + Duration.FromDays(3));
}
