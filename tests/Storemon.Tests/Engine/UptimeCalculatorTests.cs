using NodaTime;
using Storemon.Engine;
using static Storemon.Tests.Engine.TestStore;

namespace Storemon.Tests.Engine;

/// <summary>How polls spread over business time: the SPEC's "Interpolation" and "Windows".</summary>
public class UptimeCalculatorTests
{
    // The SPEC's worked example: Monday 09:00–12:00, polls at 10:14 (active) and 11:15 (inactive).
    // The report runs at 12:00 that Monday, so the last hour is 11:00–12:00.
    private static TestStore WorkedExample() => new TestStore("America/Chicago")
        .Open(SpecDay.Monday, "09:00", "12:00")
        .Poll("2023-01-23 10:14", active: true)
        .Poll("2023-01-23 11:15", active: false);

    private static readonly Instant WorkedExampleReportTime = Utc("2023-01-23 18:00"); // 12:00 in Chicago

    [Fact]
    public void Worked_example_splits_the_gap_at_the_midpoint_of_the_two_polls()
    {
        var measured = WorkedExample().Measure(WorkedExampleReportTime);

        // 09:00–10:44:30 up (104.5 min), 10:44:30–12:00 down (75.5 min).
        Assert.Equal(
            new Measured(
                UpHour: TimeSpan.Zero, UpDay: TimeSpan.FromMinutes(104, 30), UpWeek: TimeSpan.FromMinutes(104, 30),
                DownHour: TimeSpan.FromMinutes(60), DownDay: TimeSpan.FromMinutes(75, 30), DownWeek: TimeSpan.FromMinutes(75, 30)),
            measured);
    }

    [Fact]
    public void Worked_example_with_carry_forward_credits_each_gap_to_the_earlier_poll()
    {
        var measured = WorkedExample().Measure(WorkedExampleReportTime, Interpolation.CarryForward);

        // 09:00–11:15 up (135 min, the first poll's status also holding before it), 11:15–12:00 down (45 min).
        Assert.Equal(
            new Measured(
                UpHour: TimeSpan.FromMinutes(15), UpDay: TimeSpan.FromMinutes(135), UpWeek: TimeSpan.FromMinutes(135),
                DownHour: TimeSpan.FromMinutes(45), DownDay: TimeSpan.FromMinutes(45), DownWeek: TimeSpan.FromMinutes(45)),
            measured);
    }

    // The SPEC's worked example of unknown time, G = 30 min: 10:14's segment 09:00–10:44:30 is cut to
    // 09:44–10:44, 11:15's segment 10:44:30–12:00 to 10:45–11:45; the rest is unknown. The last hour is
    // 11:00–12:00: 11:00–11:45 down, 11:45–12:00 unknown.
    [Fact]
    public void Worked_example_with_a_staleness_limit_leaves_business_time_no_poll_owns_unknown()
    {
        var measured = WorkedExample().Measure(WorkedExampleReportTime, Interpolation.Nearest, Duration.FromMinutes(30));

        Assert.Equal(
            new Measured(
                UpHour: TimeSpan.Zero, UpDay: TimeSpan.FromMinutes(60), UpWeek: TimeSpan.FromMinutes(60),
                DownHour: TimeSpan.FromMinutes(45), DownDay: TimeSpan.FromMinutes(60), DownWeek: TimeSpan.FromMinutes(60),
                UnknownHour: TimeSpan.FromMinutes(15), UnknownDay: TimeSpan.FromMinutes(60), UnknownWeek: TimeSpan.FromMinutes(60)),
            measured);
    }

    // Carry-forward, same G: 10:14–10:44 up, 11:15–11:45 down, and before the first poll 09:44–10:14 up:
    // 60 up, 30 down, 90 unknown. The last hour: 11:15–11:45 down, 11:00–11:15 and 11:45–12:00 unknown.
    [Fact]
    public void Worked_example_with_carry_forward_and_a_staleness_limit()
    {
        var measured = WorkedExample().Measure(WorkedExampleReportTime, Interpolation.CarryForward, Duration.FromMinutes(30));

        Assert.Equal(
            new Measured(
                UpHour: TimeSpan.Zero, UpDay: TimeSpan.FromMinutes(60), UpWeek: TimeSpan.FromMinutes(60),
                DownHour: TimeSpan.FromMinutes(30), DownDay: TimeSpan.FromMinutes(30), DownWeek: TimeSpan.FromMinutes(30),
                UnknownHour: TimeSpan.FromMinutes(30), UnknownDay: TimeSpan.FromMinutes(90), UnknownWeek: TimeSpan.FromMinutes(90)),
            measured);
    }

    // A store silent all week but polled before it: its last poll owns at most G of the week's start.
    [Fact]
    public void A_poll_before_the_week_owns_only_its_limit_into_the_week_and_the_rest_is_unknown()
    {
        var asOf = Utc("2023-06-12 12:00");
        var store = new TestStore().Open(SpecDay.Monday, "00:00", "24:00").PollAt(asOf - Duration.FromDays(7) - Duration.FromHours(1), active: true);

        var measured = store.Measure(asOf, Interpolation.Nearest, Duration.FromHours(3));

        // The week's business time is Monday 2023-06-05 12:00–24:00 and Monday 2023-06-12 00:00–12:00;
        // the poll at 06-05 11:00 owns up to 14:00.
        Assert.Equal(
            new Measured(
                UpWeek: TimeSpan.FromHours(2), UnknownWeek: TimeSpan.FromHours(22),
                UnknownDay: TimeSpan.FromHours(12), UnknownHour: TimeSpan.FromHours(1)),
            measured);
    }

    [Fact]
    public void Poll_exactly_at_the_midpoint_belongs_to_the_later_poll()
    {
        var asOf = Utc("2023-06-12 12:00");
        var window = new ReportWindow(asOf);
        var midpoint = (asOf - Duration.FromMinutes(90)).ToUnixTimeTicks();
        Poll[] polls =
        [
            new((asOf - Duration.FromHours(2)).ToUnixTimeTicks(), Active: false),
            new((asOf - Duration.FromHours(1)).ToUnixTimeTicks(), Active: true),
        ];

        // Business time of two ticks: the one just before the midpoint and the midpoint itself.
        var uptime = UptimeCalculator.Measure([(midpoint - 1, midpoint + 1)], polls, window, Interpolation.Nearest);

        Assert.Equal(new StoreUptime(0, 1, 1, 0, 1, 1), uptime);
    }

    [Theory]
    [InlineData(Interpolation.Nearest)]
    [InlineData(Interpolation.CarryForward)]
    public void Single_poll_decides_the_whole_week_before_and_after_it(Interpolation interpolation)
    {
        var asOf = Utc("2023-06-12 12:00");
        var store = new TestStore().PollAt(asOf - Duration.FromHours(2), active: false);

        Assert.Equal(
            new Measured(DownHour: TimeSpan.FromHours(1), DownDay: TimeSpan.FromHours(24), DownWeek: TimeSpan.FromHours(168)),
            store.Measure(asOf, interpolation));
    }

    [Fact]
    public void Windows_are_the_last_hour_day_and_week_before_the_report_time_with_nearest_polls()
    {
        var asOf = Utc("2023-06-12 12:00");

        // Segments: active until T−150h (midpoint with the poll before the week), inactive until T−55h,
        // active until T−5h20m, inactive until T.
        Assert.Equal(
            new Measured(
                UpHour: TimeSpan.Zero, UpDay: TimeSpan.FromHours(18, 40), UpWeek: TimeSpan.FromHours(18 + 49, 40),
                DownHour: TimeSpan.FromMinutes(60), DownDay: TimeSpan.FromHours(5, 20), DownWeek: TimeSpan.FromHours(95 + 5, 20)),
            PollsAcrossTheWindows(asOf).Measure(asOf));
    }

    [Fact]
    public void Windows_are_the_last_hour_day_and_week_before_the_report_time_with_carry_forward()
    {
        var asOf = Utc("2023-06-12 12:00");

        // Segments: active until T−100h, inactive until T−10h, active until T−40m, inactive until T.
        Assert.Equal(
            new Measured(
                UpHour: TimeSpan.FromMinutes(20), UpDay: TimeSpan.FromHours(9, 20), UpWeek: TimeSpan.FromHours(68 + 9, 20),
                DownHour: TimeSpan.FromMinutes(40), DownDay: TimeSpan.FromHours(14, 40), DownWeek: TimeSpan.FromHours(90, 40)),
            PollsAcrossTheWindows(asOf).Measure(asOf, Interpolation.CarryForward));
    }

    private static TestStore PollsAcrossTheWindows(Instant asOf) => new TestStore()
        .PollAt(asOf - Duration.FromHours(200), active: true)
        .PollAt(asOf - Duration.FromHours(100), active: false)
        .PollAt(asOf - Duration.FromHours(10), active: true)
        .PollAt(asOf - Duration.FromMinutes(40), active: false);

    [Fact]
    public void Poll_before_the_week_decides_the_start_of_the_week_when_it_is_the_nearest()
    {
        var asOf = Utc("2023-06-12 12:00");
        var store = new TestStore()
            .PollAt(asOf - Duration.FromHours(170), active: false)
            .PollAt(asOf - Duration.FromHours(100), active: true);

        // The midpoint is T−135h: the first 33 hours of the week belong to the poll before it.
        Assert.Equal(TimeSpan.FromHours(33), store.Measure(asOf).DownWeek);
        Assert.Equal(TimeSpan.FromHours(135), store.Measure(asOf).UpWeek);
    }

    [Fact]
    public void Poll_before_the_week_decides_nothing_when_a_poll_inside_the_week_is_nearer()
    {
        var asOf = Utc("2023-06-12 12:00");
        var store = new TestStore()
            .PollAt(asOf - Duration.FromHours(300), active: false)
            .PollAt(asOf - Duration.FromHours(160), active: true);

        Assert.Equal(new Measured(TimeSpan.FromHours(1), TimeSpan.FromHours(24), TimeSpan.FromHours(168)), store.Measure(asOf));
    }

    [Theory]
    [InlineData(Interpolation.Nearest)]
    [InlineData(Interpolation.CarryForward)]
    public void Uptime_plus_downtime_is_the_business_time_of_each_window(Interpolation interpolation)
    {
        // Hours across New York's fall-back night, polls at irregular times around them.
        var asOf = Utc("2023-11-05 23:37");
        var store = new TestStore("America/New_York")
            .Open(SpecDay.Sunday, "01:30", "03:00").Open(SpecDay.Sunday, "18:00", "19:00").Open(SpecDay.Sunday, "17:00", "02:00").Open(SpecDay.Thursday, "22:00", "22:00")
            .PollAt(asOf - Duration.FromMinutes(2000), active: false)
            .PollAt(asOf - Duration.FromMinutes(1234), active: true)
            .PollAt(asOf - Duration.FromMinutes(333), active: true)
            .PollAt(asOf - Duration.FromMinutes(47), active: false);
        var window = new ReportWindow(asOf);
        var open = store.OpenIntervals(asOf);

        var measured = store.Measure(asOf, interpolation);

        Assert.Equal(BusinessTimeFrom(open, window.HourStart), measured.UpHour + measured.DownHour);
        Assert.Equal(BusinessTimeFrom(open, window.DayStart), measured.UpDay + measured.DownDay);
        Assert.Equal(BusinessTimeFrom(open, window.WeekStart), measured.UpWeek + measured.DownWeek);
        Assert.NotEqual(TimeSpan.Zero, measured.UpDay);
        Assert.NotEqual(TimeSpan.Zero, measured.DownDay);
    }

    private static TimeSpan BusinessTimeFrom(IEnumerable<(Instant Start, Instant End)> open, Instant from) =>
        open.Select(i => Instant.Max(i.End, from) - Instant.Max(i.Start, from)).Aggregate(Duration.Zero, (a, b) => a + b).ToTimeSpan();

    [Fact]
    public void Store_without_polls_measures_nothing()
    {
        Assert.Equal(default, new TestStore().Measure(Utc("2023-06-12 12:00")));
    }

    [Fact]
    public void Store_with_polls_but_no_business_time_in_the_last_hour_measures_zero_for_it()
    {
        var store = new TestStore().Open(SpecDay.Monday, "09:00", "11:00").PollAt(Utc("2023-01-23 10:00"), active: true);

        Assert.Equal(
            new Measured(UpHour: TimeSpan.Zero, UpDay: TimeSpan.FromHours(2), UpWeek: TimeSpan.FromHours(2)),
            store.Measure(Utc("2023-01-23 12:00")));
    }

    // T is midnight in New York right after the 23-hour Sunday of 12 March (the last day began at 23:00 on
    // Saturday; the week also holds the last hour of Sunday 5 March), or right after the 25-hour Sunday of
    // 5 November (the last day began at 01:00 EDT on Sunday).
    [Theory]
    [InlineData("2023-03-13 04:00", 23, 23 + 1)]
    [InlineData("2023-11-06 05:00", 24, 25)]
    public void Day_window_containing_a_clock_change_is_24_real_hours(string asOfUtc, int sundayHoursInDay, int sundayHoursInWeek)
    {
        var asOf = Utc(asOfUtc);
        var allWeek = new TestStore("America/New_York").PollAt(asOf - Duration.FromDays(3), active: true);
        var sundayOnly = new TestStore("America/New_York").Open(SpecDay.Sunday, "00:00", "24:00").PollAt(asOf - Duration.FromDays(3), active: true);

        Assert.Equal(TimeSpan.FromHours(24), allWeek.Measure(asOf).UpDay);
        Assert.Equal(TimeSpan.FromHours(sundayHoursInDay), sundayOnly.Measure(asOf).UpDay);
        Assert.Equal(TimeSpan.FromHours(sundayHoursInWeek), sundayOnly.Measure(asOf).UpWeek);
    }
}
