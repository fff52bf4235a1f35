namespace Storemon.Engine;

/// <summary>
/// Uptime, downtime and unknown time of one store within business hours, per report window, in ticks.
/// Unknown time is business time that no poll owns: always zero without a staleness limit.
/// </summary>
public readonly record struct StoreUptime(
    long UptimeLastHour, long UptimeLastDay, long UptimeLastWeek,
    long DowntimeLastHour, long DowntimeLastDay, long DowntimeLastWeek,
    long UnknownLastHour = 0, long UnknownLastDay = 0, long UnknownLastWeek = 0);

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
/// <para>
/// A staleness limit <c>G</c> (<c>max_gap</c>) keeps extrapolation honest: a poll owns only the part of
/// its segment within <c>G</c> of itself, [t − G, t + G] cut to the segment. For nearest that is every
/// instant whose nearest poll is at most <c>G</c> away; for carry-forward, whose segments start at their
/// poll, every instant at most <c>G</c> after the poll before it, and before the first poll every instant
/// at most <c>G</c> before it. Business time that no poll owns is unknown, so up + down + unknown is
/// the business time of every window.
/// </para>
/// </remarks>
public static class UptimeCalculator
{
    /// <param name="open">The store's business intervals within the week: sorted, disjoint [start, end) ticks.</param>
    /// <param name="polls">The store's polls, sorted by time, none after the report time.</param>
    /// <param name="maxGap">The staleness limit in ticks; null to extrapolate every poll over its whole segment.</param>
    public static StoreUptime Measure(
        ReadOnlySpan<(long Start, long End)> open, ReadOnlySpan<Poll> polls, ReportWindow window, Interpolation interpolation,
        long? maxGap = null)
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

            // The part of the segment this poll owns: within the staleness limit of it, if there is one.
            var owns = segmentStart;
            var ownsUntil = segmentEnd;
            if (maxGap is { } gap)
            {
                owns = Math.Max(segmentStart, polls[i].UnixTicks - gap);
                ownsUntil = Math.Min(segmentEnd, polls[i].UnixTicks + gap);
            }

            // Overlap of what the poll owns with every business interval its segment touches.
            while (b < open.Length)
            {
                var from = Math.Max(owns, open[b].Start);
                var to = Math.Min(ownsUntil, open[b].End);
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
        if (maxGap is null)
        {
            return new StoreUptime(upHour, upDay, upWeek, downHour, downDay, downWeek);
        }
        // Unknown time is the business time of each window that no poll owns.
        var (openHour, openDay, openWeek) = BusinessTime(open, hourStart, dayStart);
        return new StoreUptime(upHour, upDay, upWeek, downHour, downDay, downWeek,
            openHour - upHour - downHour, openDay - upDay - downDay, openWeek - upWeek - downWeek);
    }

    private static (long Hour, long Day, long Week) BusinessTime(ReadOnlySpan<(long Start, long End)> open, long hourStart, long dayStart)
    {
        long hour = 0, day = 0, week = 0;
        foreach (var (start, end) in open)
        {
            week += end - start;
            day += Math.Max(end - Math.Max(start, dayStart), 0);
            hour += Math.Max(end - Math.Max(start, hourStart), 0);
        }
        return (hour, day, week);
    }

    // Poll times come from microseconds (multiples of ten ticks), so the sum is even and the
    // midpoint exact. The midpoint itself starts the later poll's segment: ties go to the later poll.
    private static long Midpoint(long earlier, long later) => earlier + ((later - earlier) / 2);
}
