namespace Storemon.Engine;

/// <summary>Uptime and downtime of one store within business hours, per report window, in ticks.</summary>
public readonly record struct StoreUptime(
    long UptimeLastHour, long UptimeLastDay, long UptimeLastWeek,
    long DowntimeLastHour, long DowntimeLastDay, long DowntimeLastWeek);

/// <summary>
/// Measures how much of a store's business time it was up and down, from its polls.
/// </summary>
/// <remarks>
/// Polls are samples of a status that is only known at the instants they were taken. To measure
/// time rather than count polls, every instant gets the status of one poll:
/// <list type="bullet">
/// <item><b>Nearest</b> (the default): the poll nearest in time decides. Between two consecutive polls
/// the time is split at their midpoint, because the unknown moment the status changed is as likely to
/// be in either half. At the exact midpoint the later poll decides (a single instant, so it never changes
/// a length). Before the first poll the first poll's status holds, after the last the last poll's: the
/// polls are extrapolated over the whole window, so uptime + downtime is the whole business time.</item>
/// <item><b>Carry-forward</b>: a status holds from its poll until the next poll, as a check-based
/// monitor would see it; before the first poll the first poll's status holds.</item>
/// </list>
/// Each poll thus owns one segment of the timeline. The calculator walks the segments and the store's
/// business intervals side by side (both are sorted), and adds each overlap to every window that
/// contains it. The caller passes the latest poll before the week too: it owns the week's first
/// moments when it is nearer than the first poll inside the week.
/// </remarks>
public static class UptimeCalculator
{
    /// <param name="open">The store's business intervals within the week: sorted, disjoint [start, end) ticks.</param>
    /// <param name="polls">The store's polls, sorted by time, none after the report time.</param>
    public static StoreUptime Measure(
        ReadOnlySpan<(long Start, long End)> open, ReadOnlySpan<Poll> polls, ReportWindow window, Interpolation interpolation)
    {
        if (polls.IsEmpty || open.IsEmpty)
        {
            return default;
        }

        long hourStart = window.HourStartTicks, dayStart = window.DayStartTicks;
        long upHour = 0, upDay = 0, upWeek = 0, downHour = 0, downDay = 0, downWeek = 0;
        var b = 0;
        var segmentStart = long.MinValue;
        for (var i = 0; i < polls.Length && b < open.Length; i++)
        {
            var segmentEnd = i + 1 == polls.Length ? long.MaxValue
                : interpolation == Interpolation.Nearest ? Midpoint(polls[i].UnixTicks, polls[i + 1].UnixTicks)
                : polls[i + 1].UnixTicks;

            // Overlap of this poll's segment with every business interval it touches.
            while (b < open.Length)
            {
                var from = Math.Max(segmentStart, open[b].Start);
                var to = Math.Min(segmentEnd, open[b].End);
                if (from < to)
                {
                    var week = to - from;
                    var day = to - Math.Max(from, dayStart);
                    var hour = to - Math.Max(from, hourStart);
                    if (polls[i].Active)
                    {
                        upWeek += week;
                        upDay += Math.Max(day, 0);
                        upHour += Math.Max(hour, 0);
                    }
                    else
                    {
                        downWeek += week;
                        downDay += Math.Max(day, 0);
                        downHour += Math.Max(hour, 0);
                    }
                }
                if (open[b].End > segmentEnd)
                {
                    break; // this interval continues into the next poll's segment
                }
                b++;
            }
            segmentStart = segmentEnd;
        }
        return new StoreUptime(upHour, upDay, upWeek, downHour, downDay, downWeek);
    }

    // Poll times come from microseconds (multiples of ten ticks), so the sum is even and the
    // midpoint exact. The midpoint itself starts the later poll's segment: ties go to the later poll.
    private static long Midpoint(long earlier, long later) => earlier + ((later - earlier) / 2);
}
