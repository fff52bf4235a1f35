using NodaTime;
using Storemon.Engine;
using Storemon.Storage;
using Storemon.Storage.Postgres;
using Storemon.Tests.Databases;

namespace Storemon.Tests.Postgres;

/// <summary>Imports into PostgreSQL: binary COPY, merged with the SPEC's rules in one transaction per call.</summary>
public sealed class PostgresImportTests() : DatabaseTest(DatabaseKind.Postgres)
{
    private static readonly Instant Start = Instant.FromUtc(2023, 1, 20, 0, 0, 0).PlusNanoseconds(123_456_000);

    private static PollRow Poll(string store, int hour, bool active) =>
        new(store, (Start + Duration.FromHours(hour)).ToUnixTimeTicks() / global::Storemon.Engine.Poll.TicksPerMicrosecond, active);

    private IReadOnlyList<string> Polls(string store) => Db.Rows($"""
        SELECT to_char(p.observed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || ' ' || p.active
        FROM poll p JOIN store s USING (store_key) WHERE s.external_id = '{store}' ORDER BY p.observed_at
        """);

    [SkippableFact]
    public void A_copy_import_keeps_the_last_of_duplicates_within_one_batch_and_across_batches()
    {
        // 3 stores × 100 hourly polls, across two weeks; every tenth poll of store "a" repeated later in
        // the same batch with the opposite status.
        var first = new List<PollRow>();
        foreach (var store in new[] { "a", "b", "c" })
        {
            first.AddRange(Enumerable.Range(0, 100).Select(hour => Poll(store, hour, active: hour % 3 != 0)));
        }
        first.AddRange(Enumerable.Range(0, 10).Select(i => Poll("a", i * 10, active: (i * 10) % 3 == 0)));

        Assert.Equal(310, Db.Store.WritePolls(first, CancellationToken.None));
        Assert.Equal(300, Db.Scalar("SELECT count(*) FROM poll"));
        var a = Polls("a");
        Assert.Equal(100, a.Count);
        Assert.Equal("2023-01-20 00:00:00.123456 true", a[0]);    // hour 0: false, then true later in the batch
        Assert.Equal("2023-01-20 01:00:00.123456 true", a[1]);    // no duplicate
        Assert.Equal("2023-01-20 03:00:00.123456 false", a[3]);   // no duplicate
        Assert.Equal("2023-01-20 10:00:00.123456 false", a[10]);  // hour 10: true, then false
        Assert.Equal("2023-01-20 00:00:00.123456 false", Polls("b")[0]);

        // A second batch: new polls (the first in key order is new, so the straight copy gets under way
        // before it meets a stored one), a new store, and polls already stored with a new status, some
        // of them twice (the last one wins again).
        var second = new List<PollRow>
        {
            Poll("a", 500, active: false),
            Poll("b", 0, active: true),
            Poll("b", 150, active: false),
            Poll("d", 5, active: true),
            Poll("c", 1, active: false),
            Poll("c", 1, active: true),
            Poll("c", 2, active: false),
        };
        Assert.Equal(7, Db.Store.WritePolls(second, CancellationToken.None));
        Assert.Equal(303, Db.Scalar("SELECT count(*) FROM poll"));
        Assert.Equal("2023-02-09 20:00:00.123456 false", Polls("a")[^1]);
        Assert.Equal("2023-01-20 00:00:00.123456 true", Polls("b")[0]);
        Assert.Equal("2023-01-26 06:00:00.123456 false", Polls("b")[^1]);
        Assert.Equal(["2023-01-20 00:00:00.123456 false", "2023-01-20 01:00:00.123456 true", "2023-01-20 02:00:00.123456 false"], Polls("c").Take(3));
        Assert.Equal(["2023-01-20 05:00:00.123456 true"], Polls("d"));
        Assert.Equal(4, Db.Scalar("SELECT count(*) FROM store"));

        // The same batch again changes nothing.
        var dump = Db.Rows("SELECT store_key || ' ' || observed_at || ' ' || active FROM poll ORDER BY 1");
        Assert.Equal(7, Db.Store.WritePolls(second, CancellationToken.None));
        Assert.Equal(dump, Db.Rows("SELECT store_key || ' ' || observed_at || ' ' || active FROM poll ORDER BY 1"));
    }

    // Stores "a" and "b" polled hourly from Friday 2023-01-20 to Monday 07:00: 144 polls in the week
    // of 2023-01-16, then 16 in the week of 2023-01-23. Then stragglers: "a" at hour 5 again with the
    // other status (a poll of the first week, which is written by then), a new store "c" in the first
    // week, and "b" at hour 75 again (a duplicate within the second week's chunk).
    private static List<PollRow> WeekAndABit() =>
    [
        .. Enumerable.Range(0, 80).SelectMany(hour => new[] { Poll("a", hour, active: hour % 2 == 0), Poll("b", hour, active: true) }),
        Poll("a", 5, active: true),
        Poll("c", 6, active: false),
        Poll("b", 75, active: false),
    ];

    [SkippableFact]
    public void A_file_that_moves_on_to_the_next_week_is_written_a_week_at_a_time_and_its_stragglers_still_win()
    {
        var result = RunImport(WeekAndABit(), weekChunkRows: 100);

        // The first week is its own chunk once the input moves on; the second week and the stragglers are
        // the other, whose copy meets the stored (a, hour 5) and so merges instead, the later poll winning.
        Assert.Equal(new PollImport.Result(Read: 163, Chunks: 2), result);
        Assert.Equal(161, Db.Scalar("SELECT count(*) FROM poll"));
        Assert.Equal(145, Db.Scalar("SELECT count(*) FROM poll_20230116"));
        Assert.Equal(16, Db.Scalar("SELECT count(*) FROM poll_20230123"));
        Assert.Equal("2023-01-20 05:00:00.123456 true", Polls("a")[5]);
        Assert.Equal("2023-01-20 04:00:00.123456 true", Polls("a")[4]);
        Assert.Equal(["2023-01-20 06:00:00.123456 false"], Polls("c"));
        Assert.Equal("2023-01-23 03:00:00.123456 false", Polls("b")[75]);
        Assert.Equal("2023-01-23 04:00:00.123456 true", Polls("b")[76]);
        Assert.Equal(80, Polls("b").Count);
    }

    [SkippableFact]
    public void A_week_shorter_than_the_week_chunk_stays_in_one_chunk_with_the_next()
    {
        var result = RunImport(WeekAndABit(), weekChunkRows: 145);

        Assert.Equal(new PollImport.Result(Read: 163, Chunks: 1), result);
        Assert.Equal(161, Db.Scalar("SELECT count(*) FROM poll"));
        Assert.Equal("2023-01-20 05:00:00.123456 true", Polls("a")[5]);
        Assert.Equal("2023-01-23 03:00:00.123456 false", Polls("b")[75]);
    }

    [SkippableFact]
    public void Only_the_first_chunk_ends_where_the_week_changes_and_the_later_ones_fill_up()
    {
        // Four weeks of 100 polls each, oldest last; chunks of at most 150 rows.
        var rows = new List<PollRow>();
        foreach (var week in new[] { 3, 2, 1, 0 })
        {
            rows.AddRange(Enumerable.Range(0, 100).Select(i => Poll($"s{i % 4}", (week * 168) + 72 + (i / 4), active: i % 3 == 0)));
        }
        var result = RunImport(rows, weekChunkRows: 50, chunkRows: 150);

        // The first week alone, then 150 rows (the second week and half the third), then 150 (the rest of
        // the third and the fourth).
        Assert.Equal(new PollImport.Result(Read: 400, Chunks: 3), result);
        Assert.Equal([100, 100, 100, 100], Db.Rows("""
            SELECT count(*)::text FROM poll GROUP BY date_trunc('week', observed_at AT TIME ZONE 'UTC') ORDER BY 1
            """).Select(int.Parse));
    }

    [SkippableFact]
    public void A_first_chunk_filled_up_within_its_week_leaves_the_later_ones_to_fill_up_too()
    {
        // Two weeks of 200 polls each; chunks of at most 150 rows: 150, then 150 (the rest of the first
        // week and half the second), then 100.
        var rows = new List<PollRow>();
        foreach (var week in new[] { 0, 1 })
        {
            rows.AddRange(Enumerable.Range(0, 200).Select(i => Poll($"s{i % 4}", (week * 168) + 72 + (i / 4), active: true)));
        }
        var result = RunImport(rows, weekChunkRows: 10, chunkRows: 150);

        Assert.Equal(new PollImport.Result(Read: 400, Chunks: 3), result);
        Assert.Equal(400, Db.Scalar("SELECT count(*) FROM poll"));
    }

    // Arrays are kept from import to import and not cleared: an import must read only the polls it wrote.
    // Each array here is full of polls of a store that does not exist, as an earlier import may leave it.
    [SkippableFact]
    public void Polls_an_earlier_import_left_in_kept_arrays_never_reach_the_database()
    {
        var buffers = new PollBuffers(kept: 4);
        foreach (var length in new[] { 163, 200, 326, 2 * PollImport.DefaultChunkRows })
        {
            var stale = new KeyedPoll[length];
            Array.Fill(stale, new KeyedPoll(Store: 424_242, At: 1_674_000_000_000_000, Active: true, Sequence: 0));
            buffers.Return(stale);
        }

        var listed = RunImport(WeekAndABit(), weekChunkRows: 100, buffers: buffers);
        // Read as a stream (no count known): the chunks take arrays of the full chunk size.
        var streamed = RunImport(Streamed(WeekAndABit().Select(static row => row with { Active = !row.Active })), weekChunkRows: 100, buffers: buffers);

        Assert.Equal(new PollImport.Result(Read: 163, Chunks: 2), listed);
        Assert.Equal(new PollImport.Result(Read: 163, Chunks: 2), streamed);
        Assert.Equal(161, Db.Scalar("SELECT count(*) FROM poll"));
        Assert.Equal(0, Db.Scalar("SELECT count(*) FROM poll WHERE store_key = 424242 OR observed_at < '2023-01-20'"));
        Assert.Equal("2023-01-20 05:00:00.123456 false", Polls("a")[5]);
    }

    private static IEnumerable<PollRow> Streamed(IEnumerable<PollRow> rows)
    {
        foreach (var row in rows)
        {
            yield return row;
        }
    }

    private PollImport.Result RunImport(IEnumerable<PollRow> rows, int weekChunkRows, int chunkRows = PollImport.DefaultChunkRows, PollBuffers? buffers = null)
    {
        _ = Db.Store;   // migrated
        using var dataSource = Npgsql.NpgsqlDataSource.Create(Db.Connection);
        using var connection = dataSource.OpenConnection();
        using var transaction = connection.BeginTransaction();
        var result = PollImport.Run(connection, transaction, dataSource.OpenConnection, rows, chunkRows, weekChunkRows, CancellationToken.None, buffers);
        transaction.Commit();
        return result;
    }

    [SkippableFact]
    public void A_failing_enumeration_rolls_the_whole_import_back()
    {
        Db.Store.WritePolls([Poll("a", 0, true)], CancellationToken.None);

        IEnumerable<PollRow> Failing()
        {
            yield return Poll("a", 0, false);
            yield return Poll("new", 1, true);
            throw new InvalidDataException("the file broke off");
        }
        Assert.Throws<InvalidDataException>(() => Db.Store.WritePolls(Failing(), CancellationToken.None));

        Assert.Equal(["2023-01-20 00:00:00.123456 true"], Polls("a"));
        Assert.Equal(1, Db.Scalar("SELECT count(*) FROM store"));
        Assert.Equal(1, Db.Scalar("SELECT count(*) FROM poll"));
    }

    [SkippableFact]
    public void An_hours_import_replaces_all_hours_of_the_stores_it_names_and_leaves_the_others()
    {
        var nine = Duration.FromHours(9);
        var five = Duration.FromHours(17);
        Db.Store.ReplaceBusinessHours(
        [
            new("a", BusinessHours.FromSpecDay(0, nine, five)),
            new("a", BusinessHours.FromSpecDay(1, nine, five)),
            new("b", BusinessHours.FromSpecDay(2, nine, five)),
        ], CancellationToken.None);

        // "a" gets one new row, twice (identical rows are one row); "b" is not named and keeps its hours.
        Assert.Equal(2, Db.Store.ReplaceBusinessHours(
        [
            new("a", BusinessHours.FromSpecDay(6, Duration.FromHours(22), Duration.FromHours(2))),
            new("a", BusinessHours.FromSpecDay(6, Duration.FromHours(22), Duration.FromHours(2))),
        ], CancellationToken.None));

        Assert.Equal(
            ["a 6 79200000000 7200000000", "b 2 32400000000 61200000000"],
            Db.Rows("SELECT s.external_id || ' ' || h.day_of_week || ' ' || h.start_us || ' ' || h.end_us FROM business_hours h JOIN store s USING (store_key) ORDER BY 1"));
    }

    [SkippableFact]
    public void A_time_zone_import_upserts_and_the_last_row_of_a_store_wins()
    {
        Db.Store.UpsertTimeZones([new("a", "America/New_York"), new("b", "Asia/Tokyo")], CancellationToken.None);
        Assert.Equal(3, Db.Store.UpsertTimeZones([new("a", "Europe/Paris"), new("c", "Asia/Beirut"), new("a", "America/Denver")], CancellationToken.None));

        Assert.Equal(
            ["a America/Denver", "b Asia/Tokyo", "c Asia/Beirut"],
            Db.Rows("SELECT external_id || ' ' || time_zone FROM store ORDER BY 1"));
    }

    [SkippableFact]
    public void Two_imports_adding_the_same_new_stores_and_weeks_at_once_both_go_in()
    {
        // Each names the same 200 new stores, in the same two new weeks, at different minutes.
        List<PollRow> Batch(int minute) =>
        [
            .. Enumerable.Range(0, 200).SelectMany(store => Enumerable.Range(0, 10).Select(day =>
                new PollRow($"store-{store:D3}", (Start + Duration.FromDays(day) + Duration.FromMinutes(minute)).ToUnixTimeTicks() / 10, true))),
        ];
        using var start = new Barrier(2);
        var imports = Enumerable.Range(1, 2).Select(minute => Task.Run(() =>
        {
            var rows = Batch(minute);
            start.SignalAndWait();
            return Db.Store.WritePolls(rows, CancellationToken.None);
        })).ToArray();
        Task.WaitAll(imports, TimeSpan.FromMinutes(1));

        Assert.Equal([2000, 2000], imports.Select(import => import.Result));
        Assert.Equal(200, Db.Scalar("SELECT count(*) FROM store"));
        Assert.Equal(4000, Db.Scalar("SELECT count(*) FROM poll"));
        Assert.Equal(6, Db.Scalar("SELECT count(*) FROM pg_inherits WHERE inhparent = 'poll'::regclass"));
    }

    // Import A makes a new week (and the weeks ahead of it) and then meets polls that import B has
    // written but not committed; B, meanwhile, needs a week that is not made yet. When new weeks were
    // made in the import's own transaction, A held the partition lock to its end and B waited for it:
    // a deadlock, and PostgreSQL failed one import. Both must go in, the later writer winning.
    [SkippableFact]
    public async Task Two_imports_that_make_new_weeks_and_meet_each_others_uncommitted_polls_both_go_in()
    {
        var existingWeek = Instant.FromUtc(2023, 1, 3, 12, 0);
        Db.Store.WritePolls([new PollRow("s", Micros(existingWeek), true)], CancellationToken.None);
        // The stores exist already: neither import waits for the other's new store rows.
        Db.Store.UpsertTimeZones(Enumerable.Range(0, 100).Select(i => new TimeZoneRow($"k{i}", "UTC")), CancellationToken.None);
        using var a = new PostgresMonitoringStore(Db.Connection) { PollChunkRows = 100 };
        using var b = new PostgresMonitoringStore(Db.Connection) { PollChunkRows = 100 };
        using var bWroteItsFirstChunk = new ManualResetEventSlim();
        using var aMadeItsWeek = new ManualResetEventSlim();
        var wait = TimeSpan.FromSeconds(30);

        IEnumerable<PollRow> RowsOfB()
        {
            for (var i = 0; i < 100; i++)
            {
                yield return new PollRow($"k{i}", Micros(existingWeek + Duration.FromMinutes(i)), false);
            }
            bWroteItsFirstChunk.Set();
            Assert.True(aMadeItsWeek.Wait(wait));
            Thread.Sleep(1000); // A's second chunk meets B's first one meanwhile
            for (var i = 0; i < 100; i++)
            {
                yield return new PollRow($"k{i}", Micros(Instant.FromUtc(2023, 3, 14, 12, 0) + Duration.FromMinutes(i)), true);
            }
        }

        IEnumerable<PollRow> RowsOfA()
        {
            Assert.True(bWroteItsFirstChunk.Wait(wait));
            Thread.Sleep(500); // B's first chunk is copied, not committed
            for (var i = 0; i < 100; i++)
            {
                yield return new PollRow($"k{i}", Micros(Instant.FromUtc(2023, 3, 7, 12, 0) + Duration.FromMinutes(i)), true);
            }
            Thread.Sleep(1000); // A's first chunk made its week
            aMadeItsWeek.Set();
            for (var i = 0; i < 100; i++)
            {
                yield return new PollRow($"k{i}", Micros(existingWeek + Duration.FromMinutes(i)), true);
            }
        }

        var importB = Task.Run(() => b.WritePolls(RowsOfB(), CancellationToken.None));
        var importA = Task.Run(() => a.WritePolls(RowsOfA(), CancellationToken.None));

        Assert.Equal(200, await importA);
        Assert.Equal(200, await importB);
        Assert.Equal(
            ["poll_20230102: 101", "poll_20230306: 100", "poll_20230313: 100"],
            Db.Rows("SELECT tableoid::regclass::text || ': ' || count(*) FROM poll GROUP BY tableoid ORDER BY 1"));
        // A met B's polls and waited for B's commit: A wrote last, and its statuses stand.
        Assert.Equal(0, Db.Scalar("SELECT count(*) FROM poll WHERE observed_at < '2023-01-09' AND NOT active"));

        static long Micros(Instant instant) => instant.ToUnixTimeTicks() / global::Storemon.Engine.Poll.TicksPerMicrosecond;
    }

    [SkippableFact]
    public void Migrating_again_changes_nothing()
    {
        Db.Store.WritePolls([Poll("a", 0, true)], CancellationToken.None);
        Db.Store.Migrate();
        // Every script shipped, each applied once (counted from the assembly, so that a new migration needs no edit here).
        string[] shipped = [.. typeof(PostgresMonitoringStore).Assembly.GetManifestResourceNames()
            .Where(static name => name.Contains(".Storage.Postgres.Migrations.", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];
        Assert.Contains(shipped, static name => name.EndsWith(".0004_data_protection_keys.sql", StringComparison.Ordinal));
        Assert.Equal(shipped, Db.Rows("SELECT scriptname FROM schemaversions ORDER BY scriptname COLLATE \"C\""));
        Assert.Equal(1, Db.Scalar("SELECT count(*) FROM poll"));
    }
}
