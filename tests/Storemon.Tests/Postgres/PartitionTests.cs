using NodaTime;
using Npgsql;
using NpgsqlTypes;
using Storemon.Engine;
using Storemon.Storage;
using Storemon.Storage.Postgres;
using Storemon.Tests.Databases;
using Xunit.Abstractions;

namespace Storemon.Tests.Postgres;

/// <summary>Polls live in weekly partitions (Monday 00:00 UTC): made ahead by imports, dropped whole by retention, and read only where a report needs them.</summary>
public sealed class PartitionTests(ITestOutputHelper output) : DatabaseTest(DatabaseKind.Postgres)
{
    private PostgresMonitoringStore Store => (PostgresMonitoringStore)Db.Store;

    private IReadOnlyList<string> PartitionNames() => Db.Rows("""
        SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'poll'::regclass ORDER BY 1
        """);

    private static PollRow Poll(string store, Instant at, bool active = true) =>
        new(store, at.ToUnixTimeTicks() / global::Storemon.Engine.Poll.TicksPerMicrosecond, active);

    [SkippableFact]
    public void An_import_creates_the_partitions_of_its_weeks_and_four_weeks_ahead()
    {
        // Wednesday 2023-01-18 and Wednesday 2023-01-25: the weeks of Monday 16 and Monday 23 January.
        Store.WritePolls([Poll("a", Instant.FromUtc(2023, 1, 18, 10, 0)), Poll("a", Instant.FromUtc(2023, 1, 25, 10, 0))], CancellationToken.None);

        Assert.Equal(
            ["poll_20230116", "poll_20230123", "poll_20230130", "poll_20230206", "poll_20230213", "poll_20230220"],
            PartitionNames());

        // A later import within those weeks makes none.
        Store.WritePolls([Poll("b", Instant.FromUtc(2023, 1, 24, 10, 0))], CancellationToken.None);
        Assert.Equal(6, PartitionNames().Count);
    }

    [SkippableFact]
    public void A_poll_at_monday_midnight_utc_belongs_to_the_week_it_begins()
    {
        var monday = Instant.FromUtc(2023, 1, 23, 0, 0);
        Store.WritePolls([Poll("a", monday), Poll("a", monday - Duration.FromTicks(10))], CancellationToken.None);

        Assert.Equal(
            ["poll_20230116", "poll_20230123"],
            Db.Rows("SELECT tableoid::regclass::text FROM poll ORDER BY observed_at"));
    }

    // An import is copied week by week straight into each week's partition: every poll must land in
    // its own week, whatever the order of the input, with the last of duplicates winning.
    [SkippableFact]
    public void An_import_over_several_weeks_in_any_order_puts_each_poll_in_its_weeks_partition()
    {
        string[] stores = ["a", "b", "c"];
        var polls = stores
            .SelectMany(store => Enumerable.Range(0, 21).Select(day => Poll(store, Instant.FromUtc(2023, 1, 2, 12, 0) + Duration.FromDays(day) + Duration.FromMinutes(day % 7))))
            .OrderBy(poll => (poll.UnixMicroseconds * 7919) % 1_000_003)
            .Append(Poll("b", Instant.FromUtc(2023, 1, 15, 12, 6), active: false))
            .ToList();

        Assert.Equal(64, Store.WritePolls(polls, CancellationToken.None));

        Assert.Equal(
            ["poll_20230102: 21", "poll_20230109: 21", "poll_20230116: 21"],
            Db.Rows("SELECT tableoid::regclass::text || ': ' || count(*) FROM poll GROUP BY tableoid ORDER BY 1"));
        Assert.Equal(0, Db.Scalar("""
            SELECT count(*) FROM poll
            WHERE tableoid::regclass::text <> 'poll_' || to_char(date_trunc('week', observed_at AT TIME ZONE 'UTC'), 'YYYYMMDD')
            """));
        Assert.Equal(["b"], Db.Rows("SELECT s.external_id FROM poll p JOIN store s USING (store_key) WHERE NOT p.active"));
    }

    [SkippableFact]
    public void EnsurePollPartitions_creates_each_week_of_the_range_once()
    {
        Assert.Equal(3, Store.EnsurePollPartitions(Instant.FromUtc(2024, 1, 3, 0, 0), Instant.FromUtc(2024, 1, 15, 0, 0)));
        Assert.Equal(0, Store.EnsurePollPartitions(Instant.FromUtc(2024, 1, 1, 0, 0), Instant.FromUtc(2024, 1, 21, 23, 59)));
        Assert.Equal(["poll_20240101", "poll_20240108", "poll_20240115"], PartitionNames());
        Assert.Equal(
            "FOR VALUES FROM ('2024-01-08 00:00:00+00') TO ('2024-01-15 00:00:00+00')",
            Db.Text("SET TIME ZONE 'UTC'; SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE relname = 'poll_20240108'"));
    }

    [SkippableFact]
    public void Retention_drops_the_weeks_wholly_older_than_the_cutoff_and_nothing_newer()
    {
        // One poll a day from Monday 2 January to Sunday 29 January 2023: four weeks, seven polls each.
        var polls = Enumerable.Range(0, 28).Select(day => Poll("a", Instant.FromUtc(2023, 1, 2, 12, 0) + Duration.FromDays(day))).ToList();
        Store.WritePolls(polls, CancellationToken.None);
        Assert.Equal(8, PartitionNames().Count); // four weeks and four ahead

        // Wednesday of the second week: only the first week is wholly older.
        Assert.Equal(1, Store.DropPollPartitionsBefore(Instant.FromUtc(2023, 1, 11, 0, 0)));
        Assert.Equal(21, Db.Scalar("SELECT count(*) FROM poll"));
        Assert.Equal("2023-01-09", Db.Text("SELECT min(observed_at AT TIME ZONE 'UTC')::date::text FROM poll"));

        // Exactly the third Monday: the second week ends there, so it goes; the third stays.
        Assert.Equal(1, Store.DropPollPartitionsBefore(Instant.FromUtc(2023, 1, 16, 0, 0)));
        Assert.Equal(14, Db.Scalar("SELECT count(*) FROM poll"));
        Assert.Equal(
            ["poll_20230116", "poll_20230123", "poll_20230130", "poll_20230206", "poll_20230213", "poll_20230220"],
            PartitionNames());
        Assert.Equal(0, Db.Scalar("SELECT count(*) FROM pg_class WHERE relname IN ('poll_20230102', 'poll_20230109')"));

        // Nothing left that old.
        Assert.Equal(0, Store.DropPollPartitionsBefore(Instant.FromUtc(2023, 1, 16, 0, 0)));
    }

    [SkippableFact]
    public void The_latest_poll_before_the_week_is_found_without_reading_older_weeks()
    {
        // A store polled daily for six weeks, then silent for a week, then polled again in the report's week.
        var start = Instant.FromUtc(2023, 1, 2, 12, 0);
        var polls = Enumerable.Range(0, 42).Select(day => Poll("recent", start + Duration.FromDays(day))).ToList();
        var reportTime = Instant.FromUtc(2023, 2, 22, 12, 0);
        polls.Add(Poll("recent", reportTime - Duration.FromHours(1)));
        Store.WritePolls(polls, CancellationToken.None);
        Db.Execute("VACUUM ANALYZE poll");

        var window = new ReportWindow(reportTime);
        using var connection = new NpgsqlConnection(Db.Connection);
        connection.Open();
        using var explain = new NpgsqlCommand("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) " + PostgresReportSnapshot.PollsSql(StoreRange.All), connection);
        explain.Parameters.Add(new NpgsqlParameter<DateTime>("week", NpgsqlDbType.TimestampTz) { TypedValue = window.WeekStart.ToDateTimeUtc() });
        explain.Parameters.Add(new NpgsqlParameter<DateTime>("asOf", NpgsqlDbType.TimestampTz) { TypedValue = reportTime.ToDateTimeUtc() });
        using var reader = explain.ExecuteReader();
        var plan = new List<string>();
        while (reader.Read())
        {
            plan.Add(reader.GetString(0));
        }
        var text = string.Join('\n', plan);
        output.WriteLine(text);

        // The week starts Wednesday 15 February: its polls are in the weeks of 13 and 20 February; the
        // latest before it is Sunday 12 February, in the week of 6 February, which the backward probe
        // reads first. Every older week is in the plan (it could hold the poll) but never executed.
        Assert.Contains(plan, line => line.Contains("Index Only Scan Backward using poll_20230206_pkey", StringComparison.Ordinal) && !line.Contains("never executed", StringComparison.Ordinal));
        foreach (var older in new[] { "poll_20230102", "poll_20230109", "poll_20230116", "poll_20230123", "poll_20230130" })
        {
            var scans = plan.Where(line => line.Contains(older + "_pkey", StringComparison.Ordinal)).ToList();
            Assert.True(scans.Count == 1 && scans[0].Contains("(never executed)", StringComparison.Ordinal), $"{older} should be planned once and never executed:\n{text}");
        }
        // The week's own scans touch only its two partitions.
        Assert.DoesNotContain("poll_20230227", text, StringComparison.Ordinal);
    }
}
