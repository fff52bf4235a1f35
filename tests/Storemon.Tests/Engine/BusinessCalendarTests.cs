using NodaTime;
using static Storemon.Tests.Engine.TestStore;

namespace Storemon.Tests.Engine;

/// <summary>Which instants a store is open, from its weekly rows: the SPEC's "Business time".</summary>
public class BusinessCalendarTests
{
    // New York, 2023: clocks jump 02:00 → 03:00 on Sunday 12 March (07:00Z), fall back 02:00 → 01:00 on Sunday 5 November (06:00Z).
    private static readonly Instant AfterSpringForwardWeek = Utc("2023-03-13 00:00");
    private static readonly Instant AfterFallBackWeek = Utc("2023-11-06 00:00");

    private static (Instant, Instant)[] Interval(string startUtc, string endUtc) => [(Utc(startUtc), Utc(endUtc))];

    [Theory]
    [InlineData("01:00", "04:00", "2023-03-12 06:00", "2023-03-12 08:00")] // 01:00 EST to 04:00 EDT: two real hours
    [InlineData("02:30", "05:00", "2023-03-12 07:00", "2023-03-12 09:00")] // 02:30 never happens: opens at 03:00 EDT
    [InlineData("00:00", "02:30", "2023-03-12 05:00", "2023-03-12 07:00")] // and a closing time in the gap closes then too
    public void Time_in_the_spring_forward_gap_becomes_the_instant_the_gap_ends(string start, string end, string openUtc, string closeUtc)
    {
        var store = new TestStore("America/New_York").Open(SpecDay.Sunday, start, end);

        Assert.Equal(Interval(openUtc, closeUtc), store.OpenIntervals(AfterSpringForwardWeek));
    }

    [Theory]
    [InlineData("01:00", "04:00", "2023-11-05 05:00", "2023-11-05 09:00")] // 01:00 EDT to 04:00 EST: four real hours
    [InlineData("01:30", "03:00", "2023-11-05 05:30", "2023-11-05 08:00")] // 01:30 EDT, not 01:30 EST (06:30Z)
    [InlineData("00:00", "01:30", "2023-11-05 04:00", "2023-11-05 05:30")] // and a closing time in the overlap too
    public void Time_in_the_fall_back_overlap_takes_the_earlier_of_its_two_instants(string start, string end, string openUtc, string closeUtc)
    {
        var store = new TestStore("America/New_York").Open(SpecDay.Sunday, start, end);

        Assert.Equal(Interval(openUtc, closeUtc), store.OpenIntervals(AfterFallBackWeek));
    }

    // Lord Howe Island shifts by half an hour: 02:00 → 02:30 on Sunday 1 October 2023 (+10:30 → +11),
    // 02:00 → 01:30 on Sunday 7 April 2024 (+11 → +10:30).
    [Theory]
    [InlineData("01:00", "04:00", "2023-09-30 14:30", "2023-09-30 17:00")] // 2.5 real hours
    [InlineData("02:15", "04:00", "2023-09-30 15:30", "2023-09-30 17:00")] // 02:15 does not exist: opens at 02:30 +11
    [InlineData("02:00", "02:30", "2023-09-30 15:30", "2023-09-30 15:30")] // the whole row is in the gap: never open
    public void Lord_Howe_half_hour_spring_forward_shortens_the_day_by_thirty_minutes(string start, string end, string openUtc, string closeUtc)
    {
        var store = new TestStore("Australia/Lord_Howe").Open(SpecDay.Sunday, start, end);

        var expected = openUtc == closeUtc ? [] : Interval(openUtc, closeUtc);
        Assert.Equal(expected, store.OpenIntervals(Utc("2023-10-02 00:00")));
    }

    [Theory]
    [InlineData("01:00", "04:00", "2024-04-06 14:00", "2024-04-06 17:30")] // 3.5 real hours
    [InlineData("01:45", "04:00", "2024-04-06 14:45", "2024-04-06 17:30")] // 01:45 happens twice: the earlier, at +11
    public void Lord_Howe_half_hour_fall_back_lengthens_the_day_by_thirty_minutes(string start, string end, string openUtc, string closeUtc)
    {
        var store = new TestStore("Australia/Lord_Howe").Open(SpecDay.Sunday, start, end);

        Assert.Equal(Interval(openUtc, closeUtc), store.OpenIntervals(Utc("2024-04-08 00:00")));
    }

    [Fact]
    public void Overnight_row_of_the_day_before_the_week_spills_into_the_week_and_is_cut_at_the_report_time()
    {
        // The week is Monday 16 January 00:00 to Monday 23 January 00:00, Chicago time (UTC−6).
        var store = new TestStore("America/Chicago").Open(SpecDay.Sunday, "22:00", "02:00");

        Assert.Equal(
            new[]
            {
                (Utc("2023-01-16 06:00"), Utc("2023-01-16 08:00")), // Sunday 15th's night, from the week's start
                (Utc("2023-01-23 04:00"), Utc("2023-01-23 06:00")), // Sunday 22nd's night, up to T
            },
            store.OpenIntervals(store.Local("2023-01-23 00:00")));
    }

    [Fact]
    public void Start_equal_to_end_means_open_for_24_hours_from_the_start()
    {
        var store = new TestStore().Open(SpecDay.Wednesday, "10:00", "10:00");

        Assert.Equal(Interval("2023-01-18 10:00", "2023-01-19 10:00"), store.OpenIntervals(Utc("2023-01-23 00:00")));
    }

    [Fact]
    public void Start_equal_to_end_across_the_spring_forward_night_lasts_23_real_hours()
    {
        var store = new TestStore("America/New_York").Open(SpecDay.Saturday, "12:00", "12:00");

        // Saturday 12:00 EST = 17:00Z to Sunday 12:00 EDT = 16:00Z.
        Assert.Equal(Interval("2023-03-11 17:00", "2023-03-12 16:00"), store.OpenIntervals(AfterSpringForwardWeek));
    }

    [Fact]
    public void End_at_24_00_means_the_following_midnight()
    {
        var store = new TestStore().Open(SpecDay.Tuesday, "18:00", "24:00");

        Assert.Equal(Interval("2023-01-17 18:00", "2023-01-18 00:00"), store.OpenIntervals(Utc("2023-01-23 00:00")));
    }

    [Fact]
    public void Whole_sunday_from_00_00_to_24_00_is_23_hours_on_spring_forward_and_25_on_fall_back()
    {
        var store = new TestStore("America/New_York").Open(SpecDay.Sunday, "00:00", "24:00");

        Assert.Equal(Interval("2023-03-12 05:00", "2023-03-13 04:00"), store.OpenIntervals(Utc("2023-03-13 12:00")));
        Assert.Equal(Interval("2023-11-05 04:00", "2023-11-06 05:00"), store.OpenIntervals(Utc("2023-11-06 12:00")));
    }

    [Fact]
    public void Overlapping_rows_of_one_day_are_merged_into_one_interval()
    {
        var store = new TestStore().Open(SpecDay.Monday, "09:00", "17:00").Open(SpecDay.Monday, "12:00", "20:00").Open(SpecDay.Monday, "13:00", "14:00");

        Assert.Equal(Interval("2023-01-16 09:00", "2023-01-16 20:00"), store.OpenIntervals(Utc("2023-01-21 00:00")));
    }

    [Fact]
    public void Rows_that_touch_are_one_interval()
    {
        var store = new TestStore().Open(SpecDay.Monday, "09:00", "12:00").Open(SpecDay.Monday, "12:00", "24:00").Open(SpecDay.Tuesday, "00:00", "02:00");

        Assert.Equal(Interval("2023-01-16 09:00", "2023-01-17 02:00"), store.OpenIntervals(Utc("2023-01-21 00:00")));
    }

    [Fact]
    public void Overnight_row_overlapping_the_next_mornings_row_is_counted_once()
    {
        var store = new TestStore().Open(SpecDay.Monday, "20:00", "10:00").Open(SpecDay.Tuesday, "08:00", "12:00").PollAt(Utc("2023-01-16 00:00"), active: true);
        var asOf = Utc("2023-01-21 00:00");

        Assert.Equal(Interval("2023-01-16 20:00", "2023-01-17 12:00"), store.OpenIntervals(asOf));
        Assert.Equal(TimeSpan.FromHours(16), store.Measure(asOf).UpWeek); // not 14 + 4 = 18
    }

    [Fact]
    public void Weekdays_without_rows_are_closed()
    {
        var store = new TestStore().Open(SpecDay.Monday, "09:00", "17:00").Open(SpecDay.Wednesday, "09:00", "17:00");

        Assert.Equal(
            new[]
            {
                (Utc("2023-01-16 09:00"), Utc("2023-01-16 17:00")),
                (Utc("2023-01-18 09:00"), Utc("2023-01-18 17:00")),
            },
            store.OpenIntervals(Utc("2023-01-23 00:00")));
    }

    [Fact]
    public void Store_without_rows_is_open_the_whole_week()
    {
        var asOf = Utc("2023-03-13 12:34");

        Assert.Equal(new[] { (asOf - Duration.FromHours(168), asOf) }, new TestStore("America/New_York").OpenIntervals(asOf));
    }

    [Fact]
    public void Interval_running_across_the_week_start_is_cut_at_the_week_start()
    {
        var store = new TestStore().Open(SpecDay.Monday, "09:00", "17:00");

        // The week starts Monday 16 January 12:00.
        Assert.Equal(
            new[]
            {
                (Utc("2023-01-16 12:00"), Utc("2023-01-16 17:00")),
                (Utc("2023-01-23 09:00"), Utc("2023-01-23 12:00")),
            },
            store.OpenIntervals(Utc("2023-01-23 12:00")));
    }

    [Fact]
    public void Midnight_that_does_not_exist_opens_at_01_00_in_Santiago()
    {
        // Chile springs forward at 24:00 on Saturday 2 September 2023: Sunday starts at 01:00 (−03) = 04:00Z.
        var store = new TestStore("America/Santiago").Open(SpecDay.Sunday, "00:00", "03:00");

        Assert.Equal(Interval("2023-09-03 04:00", "2023-09-03 06:00"), store.OpenIntervals(Utc("2023-09-04 12:00")));
    }
}
