using System.Runtime.InteropServices;
using CsCheck;
using NodaTime;
using Storemon.Engine;
using Storemon.Reports;

namespace Storemon.Tests.Engine;

/// <summary>
/// The engine against <see cref="NaiveUptime"/>, a literal reading of the SPEC, on thousands of random
/// stores: any difference of even one tick fails, with the store printed.
/// </summary>
public class NaiveReferenceTests
{
    private sealed record EngineCase(Instant AsOf, RandomStore Store, Interpolation Interpolation, Duration? MaxGap);

    // No limit, a limit near the polls' spacing (where most boundaries fall inside business hours), or
    // any from a minute to the SPEC's most, seven days; whole minutes, as the reference needs.
    private static readonly Gen<Duration?> MaxGaps = Gen.OneOf(
        Gen.Const((Duration?)null),
        Gen.Int[1, 240].Select(minutes => (Duration?)Duration.FromMinutes(minutes)),
        Gen.Int[1, 7 * 24 * 60].Select(minutes => (Duration?)Duration.FromMinutes(minutes)));

    [Fact]
    public void Engine_measures_random_stores_to_the_tick_as_the_naive_reference_does()
    {
        var cases = Gen.OneOf(RandomStores.Zones).SelectMany(zone => Gen.Select(
            RandomStores.ReportTimeNear(zone), RandomStores.StoreIn(Gen.Const(zone)), RandomStores.Interpolations, MaxGaps,
            (asOf, store, interpolation, maxGap) => new EngineCase(asOf, store, interpolation, maxGap)));

        cases.Sample(c =>
        {
            var window = new ReportWindow(c.AsOf);
            var open = new List<(long Start, long End)>();
            BusinessCalendar.OpenIntervals(c.Store.BusinessHours, new StoreClock(c.Store.TimeZone, window.ClockRange), window, open);
            var polls = PollsAReportReads(c.Store.PollsAt(c.AsOf), window);

            var actual = UptimeCalculator.Measure(CollectionsMarshal.AsSpan(open), polls, window, c.Interpolation, c.MaxGap?.BclCompatibleTicks);

            var expected = NaiveUptime.Measure(c.Store.TimeZone, c.Store.Hours, c.Store.PollsAt(c.AsOf), c.AsOf, c.Interpolation, c.MaxGap);
            Assert.Equal(Measured.From(expected), Measured.From(actual));
            if (polls.Length > 0)
            {
                // Every instant of business time is up, down or unknown, in every window, to the tick.
                Assert.Equal(BusinessTime(open, window.WeekStartTicks), actual.UptimeLastWeek + actual.DowntimeLastWeek + actual.UnknownLastWeek);
                Assert.Equal(BusinessTime(open, window.DayStartTicks), actual.UptimeLastDay + actual.DowntimeLastDay + actual.UnknownLastDay);
                Assert.Equal(BusinessTime(open, window.HourStartTicks), actual.UptimeLastHour + actual.DowntimeLastHour + actual.UnknownLastHour);
                if (c.MaxGap is null)
                {
                    Assert.Equal(0, actual.UnknownLastWeek);
                }
            }
        }, iter: 4000);
    }

    private static long BusinessTime(List<(long Start, long End)> open, long from) =>
        open.Sum(i => Math.Max(i.End - Math.Max(i.Start, from), 0));

    // What a report hands the calculator: the latest poll before the week, if any, then the week's polls up to T.
    private static Poll[] PollsAReportReads(Poll[] polls, ReportWindow window)
    {
        var sorted = polls.Where(p => p.UnixTicks <= window.EndTicks).OrderBy(p => p.UnixTicks).ToArray();
        var firstInWeek = Array.FindIndex(sorted, p => p.UnixTicks >= window.WeekStartTicks);
        var from = firstInWeek < 0 ? sorted.Length - 1 : firstInWeek - 1;
        return sorted[Math.Max(from, 0)..];
    }
}
