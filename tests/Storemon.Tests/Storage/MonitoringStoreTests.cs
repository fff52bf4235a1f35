using NodaTime;
using NodaTime.Text;
using Storemon.Engine;
using Storemon.Storage;
using Storemon.Tests.Databases;

namespace Storemon.Tests.Storage;

/// <summary>What every store promises the report: migrations that can run at every start, and one consistent snapshot per report.</summary>
public abstract class MonitoringStoreTests(DatabaseKind kind) : DatabaseTest(kind)
{
    private static readonly Instant Noon = Instant.FromUtc(2024, 10, 3, 12, 0);

    private static PollRow PollAt(string store, Instant at, bool active) => new(store, at.ToUnixTimeTicks() / Poll.TicksPerMicrosecond, active);

    [SkippableFact]
    public void Migrating_an_up_to_date_database_again_changes_nothing()
    {
        Db.Store.WritePolls([PollAt("s1", Noon, true)], CancellationToken.None);
        Db.Store.UpsertTimeZones([new TimeZoneRow("s1", "Asia/Tokyo")], CancellationToken.None);
        var before = Db.Dump();

        // Every process migrates at start, so a second one meets a database already migrated.
        using (var second = Db.Open())
        {
            second.WritePolls([PollAt("s1", Noon + Duration.FromHours(1), false)], CancellationToken.None);
        }

        Assert.Equal([.. before, $"poll 1 {(Noon + Duration.FromHours(1)).ToUnixTimeTicks() / 10} 0"], Db.Dump());
    }

    [SkippableFact]
    public void A_snapshot_sees_the_database_as_it_was_at_its_first_read_whatever_is_written_after()
    {
        var weekStart = Noon - Duration.FromDays(7);
        Db.Store.WritePolls([PollAt("s1", Noon - Duration.FromHours(1), true)], CancellationToken.None);
        Db.Store.UpsertTimeZones([new TimeZoneRow("s1", "America/New_York")], CancellationToken.None);
        Db.Store.ReplaceBusinessHours([new BusinessHoursRow("s1", BusinessHours.FromSpecDay(0, Duration.FromHours(9), Duration.FromHours(17)))], CancellationToken.None);

        using var snapshot = Db.Store.OpenSnapshot();
        Assert.Equal(Noon - Duration.FromHours(1), snapshot.LatestPoll());

        // Written meanwhile through a store of its own, as the service's ingestion would.
        using (var writer = Db.Open())
        {
            writer.WritePolls([PollAt("s1", Noon, false), PollAt("s2", Noon, true)], CancellationToken.None);
            writer.UpsertTimeZones([new TimeZoneRow("s1", "Asia/Tokyo"), new TimeZoneRow("s2", "Asia/Tokyo")], CancellationToken.None);
            writer.ReplaceBusinessHours([new BusinessHoursRow("s1", BusinessHours.FromSpecDay(1, Duration.FromHours(8), Duration.FromHours(9)))], CancellationToken.None);
        }

        Assert.Equal(Noon - Duration.FromHours(1), snapshot.LatestPoll());
        var store = Assert.Single(snapshot.Stores().Values);
        Assert.Equal(("s1", "America/New_York"), (store.ExternalId, store.TimeZone));
        Assert.Equal([BusinessHours.FromSpecDay(0, Duration.FromHours(9), Duration.FromHours(17))], store.Hours);
        Assert.Equal(["s1: 2024-10-03T11:00:00Z up"], ReadPolls(snapshot, weekStart, Noon));
        Assert.Equal(1, snapshot.CountPollRows(weekStart, Noon, CancellationToken.None));

        using var later = Db.Store.OpenSnapshot();
        Assert.Equal(Noon, later.LatestPoll());
        Assert.Equal(2, later.Stores().Count);
        Assert.Equal(3, later.CountPollRows(weekStart, Noon, CancellationToken.None));
    }

    [SkippableFact]
    public void A_snapshot_reads_each_store_s_week_with_its_latest_poll_before_it_in_store_id_order()
    {
        var weekStart = Noon - Duration.FromDays(7);
        Db.Store.WritePolls(
        [
            // Older history than the poll just before the week is never read.
            PollAt("b", weekStart - Duration.FromDays(20), false),
            PollAt("b", weekStart - Duration.FromDays(2), false),
            PollAt("b", weekStart + Duration.FromHours(5), true),
            PollAt("a", weekStart, true),
            PollAt("a", Noon, false),
            PollAt("a", Noon + Duration.FromSeconds(1), true),
            // Silent all week: no row, even with a poll before the week.
            PollAt("c", weekStart - Duration.FromSeconds(1), true),
            // Upper case sorts before lower case in ordinal order, whatever the database's collation.
            PollAt("B", Noon - Duration.FromMinutes(1), true),
        ], CancellationToken.None);

        using var snapshot = Db.Store.OpenSnapshot();

        Assert.Equal(
            [
                "B: 2024-10-03T11:59:00Z up",
                "a: 2024-09-26T12:00:00Z up, 2024-10-03T12:00:00Z down",
                "b: 2024-09-24T12:00:00Z down, 2024-09-26T17:00:00Z up",
            ],
            ReadPolls(snapshot, weekStart, Noon));
    }

    // A report with a staleness limit shows the stores that went quiet: each with its last poll alone.
    [SkippableFact]
    public void Silent_stores_are_read_with_their_last_poll_before_the_week_only_when_asked_for()
    {
        var weekStart = Noon - Duration.FromDays(7);
        Db.Store.WritePolls(
        [
            PollAt("a", weekStart - Duration.FromDays(3), false),
            PollAt("a", weekStart - Duration.FromHours(1), true),
            PollAt("b", weekStart + Duration.FromHours(1), false),
            PollAt("c", weekStart - Duration.FromDays(9), false),
            PollAt("d", Noon + Duration.FromHours(1), true), // after T only: not in the report at all
        ], CancellationToken.None);

        using var snapshot = Db.Store.OpenSnapshot();

        Assert.Equal(["b: 2024-09-26T13:00:00Z down"], ReadPolls(snapshot, weekStart, Noon));
        Assert.Equal(
            ["a: 2024-09-26T11:00:00Z up", "b: 2024-09-26T13:00:00Z down", "c: 2024-09-17T12:00:00Z down"],
            ReadPolls(snapshot, weekStart, Noon, silentStores: true));
        Assert.Equal(["c: 2024-09-17T12:00:00Z down"], ReadPolls(snapshot, weekStart, Noon, new StoreRange("c", null), silentStores: true));
    }

    [SkippableFact]
    public void Store_ranges_split_a_read_into_shards_that_together_are_the_whole_read()
    {
        var weekStart = Noon - Duration.FromDays(7);
        var ids = new[] { "a", "B", "b", "c", "ca", "d" };
        Db.Store.WritePolls(
            ids.SelectMany((id, i) => new[]
            {
                PollAt(id, weekStart - Duration.FromHours(i + 1), i % 2 == 0),
                PollAt(id, Noon - Duration.FromHours(i + 1), true),
            }),
            CancellationToken.None);

        using var snapshot = Db.Store.OpenSnapshot();
        StoreRange[] shards = [new(null, "a"), new("a", "c"), new("c", "d"), new("d", null)];

        // From inclusive, to exclusive, in ordinal order (upper case first).
        Assert.Equal(["B"], Ids(ReadPolls(snapshot, weekStart, Noon, shards[0])));
        Assert.Equal(["a", "b"], Ids(ReadPolls(snapshot, weekStart, Noon, shards[1])));
        Assert.Equal(["c", "ca"], Ids(ReadPolls(snapshot, weekStart, Noon, shards[2])));
        Assert.Equal(["d"], Ids(ReadPolls(snapshot, weekStart, Noon, shards[3])));
        Assert.Equal(ReadPolls(snapshot, weekStart, Noon, StoreRange.All), shards.SelectMany(shard => ReadPolls(snapshot, weekStart, Noon, shard)));
        Assert.Equal(12, snapshot.CountPollRows(weekStart, Noon, CancellationToken.None));
        Assert.Equal([2, 4, 4, 2], shards.Select(shard => snapshot.CountPollRows(weekStart, Noon, shard, CancellationToken.None)));

        static IEnumerable<string> Ids(List<string> lines) => lines.Select(line => line[..line.IndexOf(':', StringComparison.Ordinal)]);
    }

    // A shard reads the list and hours of its own stores only: at ten times the public size the whole
    // list is 136k stores and 860k hours rows, which every shard would otherwise read again.
    [SkippableFact]
    public void A_store_range_reads_only_its_stores_with_their_hours_and_zones()
    {
        var ids = new[] { "a", "B", "b", "c", "ca", "d" };
        // Beyond the basic plane (an emoji) sorts after U+FF21 in both databases, as StoreRange.IdOrder says.
        Db.Store.WritePolls(ids.Append("\U0001F600").Append("\uFF21").Select(id => PollAt(id, Noon, true)), CancellationToken.None);
        Db.Store.ReplaceBusinessHours(
            ids.SelectMany((id, i) => Enumerable.Range(0, i).Select(day => new BusinessHoursRow(id, BusinessHours.FromSpecDay(day, Duration.FromHours(9), Duration.FromHours(9 + i))))),
            CancellationToken.None);
        Db.Store.UpsertTimeZones([new TimeZoneRow("b", "Asia/Tokyo"), new TimeZoneRow("d", "Europe/Berlin")], CancellationToken.None);

        using var snapshot = Db.Store.OpenSnapshot();

        Assert.Equal(["B", "a", "b", "c", "ca", "d", "\uFF21", "\U0001F600"], snapshot.StoreIds());
        Assert.Equal(snapshot.StoreIds(), snapshot.StoreIds().Order(StoreRange.IdOrder));
        Assert.Equal(["B: 1 rows, zone -"], Describe(snapshot.Stores(new StoreRange(null, "a"))));
        Assert.Equal(["a: 0 rows, zone -", "b: 2 rows, zone Asia/Tokyo"], Describe(snapshot.Stores(new StoreRange("a", "c"))));
        Assert.Equal(["c: 3 rows, zone -", "ca: 4 rows, zone -", "d: 5 rows, zone Europe/Berlin"], Describe(snapshot.Stores(new StoreRange("bb", "\uFF21"))));
        Assert.Equal(["\U0001F600: 0 rows, zone -"], Describe(snapshot.Stores(new StoreRange("\uFF22", null))));
        Assert.Equal(Describe(snapshot.Stores()), Describe(snapshot.Stores(StoreRange.All)));
        Assert.Equal(8, snapshot.Stores().Count);
        // The hours come whole and belong to their own store: store c (the third) has 3 days of 9:00-12:00.
        var c = snapshot.Stores(new StoreRange("c", "ca")).Values.Single();
        Assert.Equal(
            [BusinessHours.FromSpecDay(0, Duration.FromHours(9), Duration.FromHours(12)), BusinessHours.FromSpecDay(1, Duration.FromHours(9), Duration.FromHours(12)), BusinessHours.FromSpecDay(2, Duration.FromHours(9), Duration.FromHours(12))],
            c.Hours.OrderBy(h => h.Day));

        static List<string> Describe(IReadOnlyDictionary<long, StoreRecord> stores) =>
            [.. stores.Values.Select(s => $"{s.ExternalId}: {s.Hours.Length} rows, zone {s.TimeZone ?? "-"}").Order(StringComparer.Ordinal)];
    }

    /// <summary>What <see cref="IReportSnapshot.ReadPolls(Instant, Instant, StoreRange, bool, StorePollsAction, CancellationToken)"/> hands over, one line a store: <c>id: time status, …</c>.</summary>
    private static List<string> ReadPolls(IReportSnapshot snapshot, Instant weekStart, Instant asOf, StoreRange? range = null, bool silentStores = false)
    {
        var stores = snapshot.Stores();
        var lines = new List<string>();
        snapshot.ReadPolls(weekStart, asOf, range ?? StoreRange.All, silentStores, (key, polls) =>
        {
            var times = polls.ToArray().Select(p => $"{InstantPattern.ExtendedIso.Format(Instant.FromUnixTimeTicks(p.UnixTicks))} {(p.Active ? "up" : "down")}");
            lines.Add($"{stores[key].ExternalId}: {string.Join(", ", times)}");
        }, CancellationToken.None);
        return lines;
    }
}

public sealed class MonitoringStoreTests_Sqlite() : MonitoringStoreTests(DatabaseKind.Sqlite);

public sealed class MonitoringStoreTests_Postgres() : MonitoringStoreTests(DatabaseKind.Postgres);
