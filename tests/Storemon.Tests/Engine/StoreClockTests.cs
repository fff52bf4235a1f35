using NodaTime;
using Storemon.Engine;
using static Storemon.Tests.Engine.TestStore;

namespace Storemon.Tests.Engine;

/// <summary>
/// The clock's shortcut (plain subtraction of the offset when its range has no transition) must never
/// change an answer: "outside [the range] the clock is still right, only slower".
/// </summary>
public class StoreClockTests
{
    private static readonly DateTimeZone NewYork = DateTimeZoneProviders.Tzdb["America/New_York"];

    private static Instant Resolve(StoreClock clock, LocalDateTime local) => Instant.FromUnixTimeTicks(clock.ToUnixTicks(local));

    [Fact]
    public void Clock_built_for_a_winter_week_still_resolves_a_summer_time()
    {
        var clock = new StoreClock(NewYork, new Interval(Utc("2023-01-01 00:00"), Utc("2023-01-08 00:00")));

        Assert.Equal(Utc("2023-07-01 16:00"), Resolve(clock, new LocalDateTime(2023, 7, 1, 12, 0)));
    }

    [Fact]
    public void Clock_built_for_a_range_without_transitions_still_resolves_a_gap_before_it()
    {
        // The range starts at New York's spring-forward instant: 02:30 that night is in the gap before it.
        var clock = new StoreClock(NewYork, new Interval(Utc("2023-03-12 07:00"), Utc("2023-03-19 07:00")));

        Assert.Equal(Utc("2023-03-12 07:00"), Resolve(clock, new LocalDateTime(2023, 3, 12, 2, 30)));
    }

    [Fact]
    public void Clock_built_for_a_range_starting_at_a_fall_back_still_takes_the_earlier_of_two_instants()
    {
        // The range starts at New York's fall-back instant (06:00Z), so it sees one offset, −05:00. But 01:30
        // that night happened twice, at 05:30Z (EDT, before the range) and 06:30Z (EST, inside it): the
        // SPEC takes the earlier.
        var clock = new StoreClock(NewYork, new Interval(Utc("2023-11-05 06:00"), Utc("2023-11-12 06:00")));

        Assert.Equal(Utc("2023-11-05 05:30"), Resolve(clock, new LocalDateTime(2023, 11, 5, 1, 30)));
    }

    [Fact]
    public void Clock_built_for_a_range_containing_a_transition_resolves_both_sides()
    {
        var clock = new StoreClock(NewYork, new ReportWindow(Utc("2023-11-08 00:00")).ClockRange);

        Assert.Equal(Utc("2023-11-05 05:30"), Resolve(clock, new LocalDateTime(2023, 11, 5, 1, 30)));
        Assert.Equal(Utc("2023-11-04 16:00"), Resolve(clock, new LocalDateTime(2023, 11, 4, 12, 0)));
        Assert.Equal(Utc("2023-11-06 17:00"), Resolve(clock, new LocalDateTime(2023, 11, 6, 12, 0)));
    }
}
