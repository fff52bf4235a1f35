using NodaTime;

namespace Storemon.Engine;

/// <summary>
/// Turns a store's weekly business hours into the instants it is open during a report's week.
/// </summary>
/// <remarks>
/// For every local calendar date of the store that can reach into the week, each row for that date's
/// weekday opens one interval of local time (see <see cref="BusinessHours.On"/>), which the
/// <see cref="StoreClock"/> turns into instants. The walk starts one local day before the week begins:
/// an interval opened that day may run past midnight (22:00–02:00) or last 24 hours (start == end),
/// and so still be open when the week starts. It cannot reach further: an interval ends at most two
/// local midnights after its date.
///
/// Intervals of different rows may overlap (09:00–17:00 and 12:00–20:00, or a Monday overnight row
/// running into Tuesday's morning row); they are merged so that no instant is counted twice, and
/// clipped to the week.
/// </remarks>
public static class BusinessCalendar
{
    /// <summary>
    /// Writes into <paramref name="intervals"/> the open intervals of a store within the week of
    /// <paramref name="window"/>, as sorted, disjoint [start, end) pairs of Unix ticks, and returns
    /// how many pairs it wrote. A store without rows is open all the time.
    /// </summary>
    public static int OpenIntervals(
        ReadOnlySpan<BusinessHours> hours, StoreClock clock, ReportWindow window, List<(long Start, long End)> intervals)
    {
        intervals.Clear();
        long weekStart = window.WeekStartTicks, end = window.EndTicks;
        if (hours.IsEmpty)
        {
            intervals.Add((weekStart, end));
            return 1;
        }

        var firstDate = clock.DateAt(window.WeekStart).PlusDays(-1);
        var lastDate = clock.DateAt(window.AsOf);
        for (var date = firstDate; date <= lastDate; date = date.PlusDays(1))
        {
            var weekday = date.DayOfWeek;
            foreach (var row in hours)
            {
                if (row.Day != weekday)
                {
                    continue;
                }
                var (localStart, localEnd) = row.On(date);
                var start = Math.Max(clock.ToUnixTicks(localStart), weekStart);
                var stop = Math.Min(clock.ToUnixTicks(localEnd), end);
                if (start < stop)
                {
                    intervals.Add((start, stop));
                }
            }
        }
        return Merge(intervals);
    }

    /// <summary>Sorts and merges overlapping or touching intervals in place; returns the new count.</summary>
    internal static int Merge(List<(long Start, long End)> intervals)
    {
        if (intervals.Count < 2)
        {
            return intervals.Count;
        }
        intervals.Sort(static (a, b) => a.Start.CompareTo(b.Start));
        var written = 0;
        for (var i = 1; i < intervals.Count; i++)
        {
            var current = intervals[written];
            var next = intervals[i];
            if (next.Start <= current.End)
            {
                intervals[written] = (current.Start, Math.Max(current.End, next.End));
            }
            else
            {
                intervals[++written] = next;
            }
        }
        intervals.RemoveRange(written + 1, intervals.Count - written - 1);
        return intervals.Count;
    }
}
