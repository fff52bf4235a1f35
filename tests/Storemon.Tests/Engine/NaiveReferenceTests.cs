using System.Globalization;
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

    [Fact]
    public void Report_csv_of_a_database_of_random_stores_matches_the_naive_reference()
    {
        var databases = Gen.Select(
            Gen.OneOf(RandomStores.Zones).SelectMany(RandomStores.ReportTimeNear),
            RandomStores.StoreIn(Gen.OneOf(RandomStores.Zones)).Array[20, 60],
            RandomStores.Interpolations);

        databases.Sample((asOf, stores, interpolation) =>
        {
            using var database = new ReportDatabase();
            var expected = new List<string>();
            for (var i = 0; i < stores.Length; i++)
            {
                // Numeric ids, so that ordinal order ("10" before "9") differs from numeric order.
                var id = i.ToString(CultureInfo.InvariantCulture);
                var store = stores[i];
                // Half the Chicago stores have no time-zone row: the default zone must give the same numbers.
                if (store.Zone != ReportRunner.DefaultTimeZone || i % 2 == 0)
                {
                    database.Zone(id, store.Zone);
                }
                foreach (var row in store.Hours)
                {
                    database.Hours(id, row.ToBusinessHours());
                }
                var polls = store.PollsAt(asOf);
                foreach (var poll in polls)
                {
                    database.Poll(id, Instant.FromUnixTimeTicks(poll.UnixTicks), poll.Active);
                }
                if (HasPollInWeek(polls, asOf))
                {
                    var uptime = NaiveUptime.Measure(store.TimeZone, store.Hours, polls, asOf, interpolation);
                    expected.Add(string.Join(',', [id, .. FormatLikeTheSpec(uptime)]));
                }
            }
            expected.Sort(StringComparer.Ordinal);

            var report = database.Report(asOf, interpolation);

            Assert.Equal(expected, report.Select(row => string.Join(',', row)));
        }, iter: 12, threads: 1);
    }

    // What a report hands the calculator: the latest poll before the week, if any, then the week's polls up to T.
    private static Poll[] PollsAReportReads(Poll[] polls, ReportWindow window)
    {
        var sorted = polls.Where(p => p.UnixTicks <= window.EndTicks).OrderBy(p => p.UnixTicks).ToArray();
        var firstInWeek = Array.FindIndex(sorted, p => p.UnixTicks >= window.WeekStartTicks);
        var from = firstInWeek < 0 ? sorted.Length - 1 : firstInWeek - 1;
        return sorted[Math.Max(from, 0)..];
    }

    private static bool HasPollInWeek(Poll[] polls, Instant asOf) =>
        polls.Any(p => p.UnixTicks >= (asOf - Duration.FromHours(168)).ToUnixTimeTicks() && p.UnixTicks <= asOf.ToUnixTimeTicks());

    // Minutes for the hour, hours for the day and week, two decimals, half away from zero, a dot.
    private static IEnumerable<string> FormatLikeTheSpec(StoreUptime u) =>
        new[]
        {
            (u.UptimeLastHour, TimeSpan.TicksPerMinute), (u.UptimeLastDay, TimeSpan.TicksPerHour), (u.UptimeLastWeek, TimeSpan.TicksPerHour),
            (u.DowntimeLastHour, TimeSpan.TicksPerMinute), (u.DowntimeLastDay, TimeSpan.TicksPerHour), (u.DowntimeLastWeek, TimeSpan.TicksPerHour),
        }.Select(v => Math.Round((decimal)v.Item1 / v.Item2, 2, MidpointRounding.AwayFromZero).ToString("0.00", CultureInfo.InvariantCulture));
}
