using System.Globalization;
using CsCheck;
using NodaTime;
using Storemon.Engine;
using Storemon.Reports;
using Storemon.Tests.Databases;

namespace Storemon.Tests.Engine;

/// <summary>
/// Whole reports over databases of random stores against <see cref="NaiveUptime"/>, a literal reading
/// of the SPEC: the CSV must match it character for character.
/// </summary>
public abstract class NaiveReferenceReportTests
{
    private readonly DatabaseKind _kind;

    protected NaiveReferenceReportTests(DatabaseKind kind)
    {
        // Here, not in the sample: a skip thrown inside the generator would be reported as a failing sample.
        TestDatabase.RequireAvailable(kind);
        _kind = kind;
    }

    [SkippableFact]
    public void Report_csv_of_a_database_of_random_stores_matches_the_naive_reference()
    {
        var databases = Gen.Select(
            Gen.OneOf(RandomStores.Zones).SelectMany(RandomStores.ReportTimeNear),
            RandomStores.StoreIn(Gen.OneOf(RandomStores.Zones)).Array[20, 60],
            RandomStores.Interpolations);

        databases.Sample((asOf, stores, interpolation) =>
        {
            using var db = TestDatabase.Create(_kind);
            var database = new ReportDatabase(db);
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

public sealed class NaiveReferenceReportTests_Sqlite() : NaiveReferenceReportTests(DatabaseKind.Sqlite);

public sealed class NaiveReferenceReportTests_Postgres() : NaiveReferenceReportTests(DatabaseKind.Postgres);
