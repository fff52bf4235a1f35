using NodaTime;
using NodaTime.TimeZones;
using Storemon.Engine;

namespace Storemon.Tests.Engine;

/// <summary>A business-hours row in the SPEC's own terms: day 0 = Monday … 6 = Sunday, minutes since local midnight (1440 = 24:00).</summary>
internal readonly record struct WeeklyRow(int Day, int StartMinute, int EndMinute)
{
    public BusinessHours ToBusinessHours() =>
        BusinessHours.FromSpecDay(Day, Duration.FromMinutes(StartMinute), Duration.FromMinutes(EndMinute));

    public override string ToString() => $"{Day}:{StartMinute / 60:00}:{StartMinute % 60:00}-{EndMinute / 60:00}:{EndMinute % 60:00}";
}

/// <summary>
/// The SPEC's measures computed the slow and literal way, to check the engine against. The week is cut
/// into 30-second cells; each cell asks from scratch whether the store is open (is its centre inside
/// any interval of any row of any nearby local date?) and what its status is (which of all the polls
/// is nearest?). No merging, no sorting, no walking two lists side by side.
/// </summary>
/// <remarks>
/// Counting 30 s per cell is exact, to the tick, when every boundary falls on a multiple of 30 s from the
/// week's start: the report time, business hours and polls are on whole minutes, the zones used have
/// whole-minute offsets and transitions (Lord Howe's and Chatham's included), and the midpoint of two
/// whole-minute polls is on a whole or half minute. A cell then never straddles a boundary, so its
/// centre speaks for all of it; and the centre is never a boundary, so ties never arise here.
/// </remarks>
internal static class NaiveUptime
{
    private const long CellTicks = 30 * TimeSpan.TicksPerSecond;

    private static readonly ZoneLocalMappingResolver SpecResolver =
        Resolvers.CreateMappingResolver(Resolvers.ReturnEarlier, Resolvers.ReturnStartOfIntervalAfter);

    /// <param name="polls">All polls of the store, in any order, including those after <paramref name="asOf"/>.</param>
    /// <param name="maxGap">The staleness limit: a cell is unknown when the poll that decides it is farther away.</param>
    public static StoreUptime Measure(
        DateTimeZone zone, IReadOnlyList<WeeklyRow> rows, IReadOnlyList<Poll> polls, Instant asOf, Interpolation interpolation,
        Duration? maxGap = null)
    {
        var end = asOf.ToUnixTimeTicks();
        Poll[] known = [.. polls.Where(p => p.UnixTicks <= end)];
        if (known.Length == 0)
        {
            return default;
        }

        var weekStart = end - (168 * TimeSpan.TicksPerHour);
        var dayStart = end - (24 * TimeSpan.TicksPerHour);
        var hourStart = end - TimeSpan.TicksPerHour;
        var open = OpenCells(zone, rows, weekStart, end);
        long upHour = 0, upDay = 0, upWeek = 0, downHour = 0, downDay = 0, downWeek = 0, unknownHour = 0, unknownDay = 0, unknownWeek = 0;
        for (var cell = 0; cell < open.Length; cell++)
        {
            if (!open[cell])
            {
                continue;
            }
            var centre = Centre(weekStart, cell);
            var inDay = centre >= dayStart ? CellTicks : 0;
            var inHour = centre >= hourStart ? CellTicks : 0;
            var decides = interpolation == Interpolation.Nearest ? Nearest(centre, known) : CarriedForward(centre, known);
            if (maxGap is { } gap && Math.Abs(centre - decides.UnixTicks) > gap.BclCompatibleTicks)
            {
                unknownWeek += CellTicks;
                unknownDay += inDay;
                unknownHour += inHour;
            }
            else if (decides.Active)
            {
                upWeek += CellTicks;
                upDay += inDay;
                upHour += inHour;
            }
            else
            {
                downWeek += CellTicks;
                downDay += inDay;
                downHour += inHour;
            }
        }
        return new StoreUptime(upHour, upDay, upWeek, downHour, downDay, downWeek, unknownHour, unknownDay, unknownWeek);
    }

    private static long Centre(long weekStart, int cell) => weekStart + (cell * CellTicks) + (CellTicks / 2);

    // Which cells of the week lie in business time: every row on every local date from three days
    // before the week to three days after it (far more than can matter), each interval marked as is.
    private static bool[] OpenCells(DateTimeZone zone, IReadOnlyList<WeeklyRow> rows, long weekStart, long end)
    {
        var open = new bool[(int)((end - weekStart) / CellTicks)];
        if (rows.Count == 0)
        {
            Array.Fill(open, true);
            return open;
        }
        var firstDate = Instant.FromUnixTimeTicks(weekStart).InUtc().Date.PlusDays(-3);
        var lastDate = Instant.FromUnixTimeTicks(end).InUtc().Date.PlusDays(3);
        for (var date = firstDate; date <= lastDate; date = date.PlusDays(1))
        {
            var specDay = (int)date.DayOfWeek - 1;
            foreach (var row in rows.Where(r => r.Day == specDay))
            {
                var midnight = date.AtMidnight();
                var start = midnight.PlusMinutes(row.StartMinute);
                var stop = row.StartMinute < row.EndMinute ? midnight.PlusMinutes(row.EndMinute)
                    : row.StartMinute > row.EndMinute ? midnight.PlusDays(1).PlusMinutes(row.EndMinute)
                    : start.PlusDays(1);
                Mark(open, weekStart, ToTicks(zone, start), ToTicks(zone, stop));
            }
        }
        return open;
    }

    private static long ToTicks(DateTimeZone zone, LocalDateTime local) =>
        zone.ResolveLocal(local, SpecResolver).ToInstant().ToUnixTimeTicks();

    private static void Mark(bool[] open, long weekStart, long from, long to)
    {
        // Only the cells whose centre can be in [from, to) are visited, to keep thousands of stores quick.
        var first = from <= Centre(weekStart, 0) ? 0 : (int)Math.Min(open.Length, (from - Centre(weekStart, 0) + CellTicks - 1) / CellTicks);
        for (var cell = first; cell < open.Length && Centre(weekStart, cell) < to; cell++)
        {
            if (Centre(weekStart, cell) >= from)
            {
                open[cell] = true;
            }
        }
    }

    // The poll nearest in time; of two equally near, the later.
    private static Poll Nearest(long t, Poll[] polls)
    {
        var best = polls[0];
        foreach (var poll in polls)
        {
            var distance = Math.Abs(t - poll.UnixTicks);
            var bestDistance = Math.Abs(t - best.UnixTicks);
            if (distance < bestDistance || (distance == bestDistance && poll.UnixTicks > best.UnixTicks))
            {
                best = poll;
            }
        }
        return best;
    }

    // The latest poll at or before t; before the first poll, the first poll.
    private static Poll CarriedForward(long t, Poll[] polls)
    {
        Poll? latest = null;
        var first = polls[0];
        foreach (var poll in polls)
        {
            if (poll.UnixTicks <= t && (latest is not { } l || poll.UnixTicks > l.UnixTicks))
            {
                latest = poll;
            }
            if (poll.UnixTicks < first.UnixTicks)
            {
                first = poll;
            }
        }
        return latest ?? first;
    }
}
