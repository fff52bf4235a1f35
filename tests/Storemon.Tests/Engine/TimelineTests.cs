using System.Runtime.InteropServices;
using CsCheck;
using NodaTime;
using Storemon.Engine;
using static Storemon.Tests.Engine.TestStore;

namespace Storemon.Tests.Engine;

/// <summary>
/// A store's timeline: the pieces of business time the engine attributes to each status, from the walk
/// that makes the report's totals, so that they add up to the report's row to the tick.
/// </summary>
public class TimelineTests
{
    // The SPEC's worked example in New York: Monday 14 October 2024 09:00–12:00 (13:00–16:00 UTC), polls
    // at 10:14 (active) and 11:15 (inactive); the report runs at 12:00 local.
    private static readonly TestStore WorkedExample = new TestStore("America/New_York")
        .Open(SpecDay.Monday, "09:00", "12:00")
        .Poll("2024-10-14 10:14", active: true)
        .Poll("2024-10-14 11:15", active: false);

    private static readonly Instant Noon = Utc("2024-10-14 16:00");

    private static Instant At(string utc, int seconds = 0) => Utc(utc) + Duration.FromSeconds(seconds);

    [Fact]
    public void The_worked_example_is_up_until_the_midpoint_and_down_after_it()
    {
        Assert.Equal(
            [
                (At("2024-10-14 13:00"), At("2024-10-14 14:44", 30), SegmentStatus.Active),
                (At("2024-10-14 14:44", 30), At("2024-10-14 16:00"), SegmentStatus.Inactive),
            ],
            WorkedExample.Timeline(Noon));
    }

    [Fact]
    public void The_worked_example_with_carry_forward_is_up_until_the_second_poll()
    {
        Assert.Equal(
            [
                (At("2024-10-14 13:00"), At("2024-10-14 15:15"), SegmentStatus.Active),
                (At("2024-10-14 15:15"), At("2024-10-14 16:00"), SegmentStatus.Inactive),
            ],
            WorkedExample.Timeline(Noon, Interpolation.CarryForward));
    }

    // The SPEC's example of unknown time, G = 30 min: 09:44–10:44 up, 10:45–11:45 down, the rest unknown.
    [Fact]
    public void The_worked_example_with_a_staleness_limit_shows_the_unknown_pieces_between_and_around_what_the_polls_own()
    {
        Assert.Equal(
            [
                (At("2024-10-14 13:00"), At("2024-10-14 13:44"), SegmentStatus.Unknown),
                (At("2024-10-14 13:44"), At("2024-10-14 14:44"), SegmentStatus.Active),
                (At("2024-10-14 14:44"), At("2024-10-14 14:45"), SegmentStatus.Unknown),
                (At("2024-10-14 14:45"), At("2024-10-14 15:45"), SegmentStatus.Inactive),
                (At("2024-10-14 15:45"), At("2024-10-14 16:00"), SegmentStatus.Unknown),
            ],
            WorkedExample.Timeline(Noon, Interpolation.Nearest, Duration.FromMinutes(30)));
    }

    // Two polls of one status next to each other make one piece, across their midpoint.
    [Fact]
    public void Adjacent_pieces_of_one_status_are_joined()
    {
        var store = new TestStore("America/New_York")
            .Open(SpecDay.Monday, "09:00", "12:00")
            .Poll("2024-10-14 09:30", active: true)
            .Poll("2024-10-14 10:30", active: true)
            .Poll("2024-10-14 11:30", active: false);

        Assert.Equal(
            [
                (At("2024-10-14 13:00"), At("2024-10-14 15:00"), SegmentStatus.Active),
                (At("2024-10-14 15:00"), At("2024-10-14 16:00"), SegmentStatus.Inactive),
            ],
            store.Timeline(Noon));
    }

    [Fact]
    public void Timeline_pieces_of_random_stores_summed_per_window_are_the_report_row_to_the_tick()
    {
        RandomStores.Cases.Sample(c =>
        {
            var window = c.Window;
            var open = c.OpenIntervals();
            var polls = c.PollsAReportReads();
            var segments = new List<TimelineSegment>();

            var fromTimeline = UptimeCalculator.Timeline(CollectionsMarshal.AsSpan(open), polls, window, c.Interpolation, c.MaxGapTicks, segments);
            var row = UptimeCalculator.Measure(CollectionsMarshal.AsSpan(open), polls, window, c.Interpolation, c.MaxGapTicks);

            Assert.Equal(Measured.From(row), Measured.From(fromTimeline));
            Assert.Equal(Measured.From(row), Measured.From(SumPerWindow(segments, window)));
            for (var i = 0; i < segments.Count; i++)
            {
                var segment = segments[i];
                Assert.True(segment.StartTicks < segment.EndTicks, $"piece {i} is empty");
                Assert.True(open.Exists(o => o.Start <= segment.StartTicks && segment.EndTicks <= o.End), $"piece {i} is not inside one business interval");
                if (i > 0)
                {
                    var previous = segments[i - 1];
                    Assert.True(previous.EndTicks <= segment.StartTicks, $"piece {i} is not after piece {i - 1}");
                    Assert.False(previous.EndTicks == segment.StartTicks && previous.Status == segment.Status, $"pieces {i - 1} and {i} are one");
                }
                if (c.MaxGap is null)
                {
                    Assert.NotEqual(SegmentStatus.Unknown, segment.Status);
                }
            }
            // A store with polls has every instant of its business time in one piece; one without has none.
            var businessTime = open.Sum(o => o.End - o.Start);
            Assert.Equal(polls.Length == 0 ? 0 : businessTime, segments.Sum(s => s.EndTicks - s.StartTicks));
        }, iter: 4000);
    }

    // The report's three windows, each piece cut at the window's start: written apart from the engine's own sum.
    private static StoreUptime SumPerWindow(List<TimelineSegment> segments, ReportWindow window)
    {
        var sums = new long[3, 3];
        foreach (var segment in segments)
        {
            var status = (int)segment.Status;
            sums[status, 2] += segment.EndTicks - segment.StartTicks;
            sums[status, 1] += Math.Max(segment.EndTicks - Math.Max(segment.StartTicks, window.DayStartTicks), 0);
            sums[status, 0] += Math.Max(segment.EndTicks - Math.Max(segment.StartTicks, window.HourStartTicks), 0);
        }
        return new StoreUptime(sums[0, 0], sums[0, 1], sums[0, 2], sums[1, 0], sums[1, 1], sums[1, 2], sums[2, 0], sums[2, 1], sums[2, 2]);
    }
}
