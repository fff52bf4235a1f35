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
    private sealed record EngineCase(Instant AsOf, RandomStore Store, Interpolation Interpolation);

    [Fact]
    public void Engine_measures_random_stores_to_the_tick_as_the_naive_reference_does()
    {
        var cases = Gen.OneOf(RandomStores.Zones).SelectMany(zone => Gen.Select(
            RandomStores.ReportTimeNear(zone), RandomStores.StoreIn(Gen.Const(zone)), RandomStores.Interpolations,
            (asOf, store, interpolation) => new EngineCase(asOf, store, interpolation)));

        cases.Sample(c =>
        {
            var window = new ReportWindow(c.AsOf);
            var open = new List<(long Start, long End)>();
            BusinessCalendar.OpenIntervals(c.Store.BusinessHours, new StoreClock(c.Store.TimeZone, window.ClockRange), window, open);
            var polls = PollsAReportReads(c.Store.PollsAt(c.AsOf), window);

            var actual = UptimeCalculator.Measure(CollectionsMarshal.AsSpan(open), polls, window, c.Interpolation);

            var expected = NaiveUptime.Measure(c.Store.TimeZone, c.Store.Hours, c.Store.PollsAt(c.AsOf), c.AsOf, c.Interpolation);
            Assert.Equal(Measured.From(expected), Measured.From(actual));
            if (polls.Length > 0)
            {
                Assert.Equal(open.Sum(i => i.End - i.Start), actual.UptimeLastWeek + actual.DowntimeLastWeek);
            }
        }, iter: 4000);
    }

    // What a report hands the calculator: the latest poll before the week, if any, then the week's polls up to T.
    private static Poll[] PollsAReportReads(Poll[] polls, ReportWindow window)
    {
        var sorted = polls.Where(p => p.UnixTicks <= window.EndTicks).OrderBy(p => p.UnixTicks).ToArray();
        var firstInWeek = Array.FindIndex(sorted, p => p.UnixTicks >= window.WeekStartTicks);
        var from = firstInWeek < 0 ? sorted.Length - 1 : firstInWeek - 1;
        return sorted[Math.Max(from, 0)..];
    }
}
