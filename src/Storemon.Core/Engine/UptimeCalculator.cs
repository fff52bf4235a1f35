using System.Runtime.CompilerServices;

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
/// business intervals side by side (both are sorted) and hands each overlap, in order, to a sink: a
/// report's adds it to every window that contains it; a store's timeline keeps the pieces, so what a
/// timeline shows is what the report counted, by the same walk. The caller passes the latest poll before the week too: it owns the week's first
/// moments when it is nearer than the first poll inside the week.
/// <para>
/// A staleness limit <c>G</c> (<c>max_gap</c>) keeps extrapolation honest: a poll owns only the part of
/// its segment within <c>G</c> of itself, [t − G, t + G] cut to the segment. For nearest that is every
/// instant whose nearest poll is at most <c>G</c> away; for carry-forward, whose segments start at their
/// poll, every instant at most <c>G</c> after the poll before it, and before the first poll every instant
/// at most <c>G</c> before it. Business time that no poll owns is unknown: the walk hands it over as
/// pieces of its own, between and after what the polls own, so up + down + unknown is the business time
/// of every window.
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
        return Walk(open, polls, interpolation, maxGap, new WindowTotals(window)).Uptime;
    }

    /// <summary>
    /// Measures as <see cref="Measure"/> does, and writes into <paramref name="segments"/> the pieces of
    /// business time it attributed to each status, sorted and disjoint, adjacent pieces of one status joined:
    /// the store's timeline, from the same walk as its totals.
    /// </summary>
    public static StoreUptime Timeline(
        ReadOnlySpan<(long Start, long End)> open, ReadOnlySpan<Poll> polls, ReportWindow window, Interpolation interpolation,
        long? maxGap, List<TimelineSegment> segments)
    {
        ArgumentNullException.ThrowIfNull(segments);
        segments.Clear();
        return Walk(open, polls, interpolation, maxGap, new TimelineSink(new WindowTotals(window), segments)).Totals.Uptime;
    }

    /// <summary>
    /// Walks the polls' segments and the business intervals side by side and hands <paramref name="sink"/>
    /// every piece of business time in order: what each poll owns as active or inactive, and with a
    /// staleness limit what no poll owns as unknown. The pieces tile the business time exactly.
    /// </summary>
    /// <returns>The sink after the last piece.</returns>
    /// <remarks>
    /// The sink is a struct type parameter, so each sink gets its own compiled walk with its calls inlined;
    /// it is passed and returned by value, so that its fields can live in registers during the walk.
    /// </remarks>
    public static TSink Walk<TSink>(
        ReadOnlySpan<(long Start, long End)> open, ReadOnlySpan<Poll> polls, Interpolation interpolation, long? maxGap, TSink sink)
        where TSink : struct, ISegmentSink
    {
        if (polls.IsEmpty || open.IsEmpty)
        {
            return sink;
        }

        var b = 0;
        var segmentStart = long.MinValue;
        // Business time of interval b before this instant has been handed to the sink.
        var attributed = open[0].Start;
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

            // Overlap of what the poll owns with every business interval its segment touches. Without a
            // limit the segments tile all time, so the business time between two overlaps (unknown) is
            // never longer than zero.
            while (b < open.Length)
            {
                var from = Math.Max(owns, open[b].Start);
                var to = Math.Min(ownsUntil, open[b].End);
                if (from < to)
                {
                    if (from > attributed)
                    {
                        sink.Add(attributed, from, SegmentStatus.Unknown);
                    }
                    sink.Add(from, to, polls[i].Active ? SegmentStatus.Active : SegmentStatus.Inactive);
                    attributed = to;
                }
                if (open[b].End > segmentEnd)
                {
                    break; // this interval continues into the next poll's segment
                }
                // The interval is done: what no poll owned of its end is unknown.
                if (open[b].End > attributed)
                {
                    sink.Add(attributed, open[b].End, SegmentStatus.Unknown);
                }
                if (++b < open.Length)
                {
                    attributed = open[b].Start;
                }
            }
            segmentStart = segmentEnd;
        }
        return sink;
    }

    // Poll times come from microseconds (multiples of ten ticks), so the sum is even and the
    // midpoint exact. The midpoint itself starts the later poll's segment: ties go to the later poll.
    private static long Midpoint(long earlier, long later) => earlier + ((later - earlier) / 2);

    /// <summary>The report's sink: each piece added to every window that contains it, the hour and day cut at their start.</summary>
    private struct WindowTotals(ReportWindow window) : ISegmentSink
    {
        private readonly long _hourStart = window.HourStartTicks;
        private readonly long _dayStart = window.DayStartTicks;
        private long _upHour, _upDay, _upWeek, _downHour, _downDay, _downWeek, _unknownHour, _unknownDay, _unknownWeek;

        public readonly StoreUptime Uptime =>
            new(_upHour, _upDay, _upWeek, _downHour, _downDay, _downWeek, _unknownHour, _unknownDay, _unknownWeek);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Add(long startTicks, long endTicks, SegmentStatus status)
        {
            var week = endTicks - startTicks;
            var day = Math.Max(endTicks - Math.Max(startTicks, _dayStart), 0);
            var hour = Math.Max(endTicks - Math.Max(startTicks, _hourStart), 0);
            switch (status)
            {
                case SegmentStatus.Active:
                    _upWeek += week;
                    _upDay += day;
                    _upHour += hour;
                    break;
                case SegmentStatus.Inactive:
                    _downWeek += week;
                    _downDay += day;
                    _downHour += hour;
                    break;
                default:
                    _unknownWeek += week;
                    _unknownDay += day;
                    _unknownHour += hour;
                    break;
            }
        }
    }

    /// <summary>The timeline's sink: the totals, and the pieces in a list, a piece that continues the last one of its status joined to it.</summary>
    private struct TimelineSink(WindowTotals totals, List<TimelineSegment> segments) : ISegmentSink
    {
        public WindowTotals Totals = totals;

        public void Add(long startTicks, long endTicks, SegmentStatus status)
        {
            Totals.Add(startTicks, endTicks, status);
            if (segments.Count > 0 && segments[^1].EndTicks == startTicks && segments[^1].Status == status)
            {
                segments[^1] = segments[^1] with { EndTicks = endTicks };
            }
            else
            {
                segments.Add(new TimelineSegment(startTicks, endTicks, status));
            }
        }
    }
}

/// <summary>What an instant of business time was attributed to.</summary>
public enum SegmentStatus
{
    Active,
    Inactive,

    /// <summary>No poll owns it: farther than the staleness limit from the poll that would decide it.</summary>
    Unknown,
}

/// <summary>A piece of a store's business time, [<see cref="StartTicks"/>, <see cref="EndTicks"/>) in Unix ticks, and its status.</summary>
public readonly record struct TimelineSegment(long StartTicks, long EndTicks, SegmentStatus Status);

/// <summary>Receives the pieces of business time of <see cref="UptimeCalculator.Walk"/>, in order.</summary>
public interface ISegmentSink
{
    /// <summary>[<paramref name="startTicks"/>, <paramref name="endTicks"/>), Unix ticks, a non-empty piece of business time with its status.</summary>
    void Add(long startTicks, long endTicks, SegmentStatus status);
}
