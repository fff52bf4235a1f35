using System.Runtime.InteropServices;
using CsCheck;
using Storemon.Engine;

namespace Storemon.Tests.Engine;

/// <summary>
/// The engine against <see cref="NaiveUptime"/>, a literal reading of the SPEC, on thousands of random
/// stores: any difference of even one tick fails, with the store printed.
/// </summary>
public class NaiveReferenceTests
{
    [Fact]
    public void Engine_measures_random_stores_to_the_tick_as_the_naive_reference_does()
    {
        RandomStores.Cases.Sample(c =>
        {
            var window = c.Window;
            var open = c.OpenIntervals();
            var polls = c.PollsAReportReads();

            var actual = UptimeCalculator.Measure(CollectionsMarshal.AsSpan(open), polls, window, c.Interpolation, c.MaxGapTicks);

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
}
