using System.Text;
using NodaTime;
using Npgsql;
using Storemon.Engine;
using Storemon.Generate;
using Storemon.Import;
using Storemon.Reports;
using Storemon.Storage;
using Storemon.Storage.Postgres;
using Storemon.Tests.Databases;
using Storemon.Tests.Storage;

namespace Storemon.Tests.Postgres;

/// <summary>
/// Reports read from PostgreSQL: the same CSV as from SQLite, one consistent snapshot, snapshots
/// shared between connections, and store ranges that split a report into shards.
/// </summary>
public sealed class PostgresReportTests
{
    // 300 made-up stores (UUID ids, zones around the world, overnight and 24-hour rows, silent days)
    // over 17 days: three weekly partitions and then some, and stores whose latest poll before the
    // report's week lies a partition or more back.
    private static SyntheticDataSet Data() => SyntheticDataSet.Create(new GeneratorOptions
    {
        Stores = 300,
        Span = TimeSpan.FromDays(17),
        End = Instant.FromUtc(2024, 3, 12, 15, 27, 31).PlusNanoseconds(654_321_000),
        Seed = 11,
    });

    private static void Load(IMonitoringStore store, SyntheticDataSet data)
    {
        using var hours = new MemoryStream(Encoding.UTF8.GetBytes(Write(data.WriteHours)));
        using var zones = new MemoryStream(Encoding.UTF8.GetBytes(Write(data.WriteTimeZones)));
        Assert.Equal(0, CsvImporter.ImportBusinessHours(store, hours, "hours.csv").Rejected);
        Assert.Equal(0, CsvImporter.ImportTimeZones(store, zones, "timezones.csv").Rejected);
        store.WritePolls(data.Polls(), CancellationToken.None);
    }

    private static string Write(Action<TextWriter, CancellationToken> write)
    {
        using var text = new StringWriter();
        write(text, CancellationToken.None);
        return text.ToString();
    }

    private static string Report(IMonitoringStore store, ReportRequest request)
    {
        using var csv = new StringWriter();
        ReportRunner.Run(store, request, csv);
        return csv.ToString();
    }

    [SkippableTheory]
    [InlineData(Interpolation.Nearest)]
    [InlineData(Interpolation.CarryForward)]
    public void A_report_on_PostgreSQL_is_byte_for_byte_the_report_on_SQLite(Interpolation interpolation)
    {
        var data = Data();
        using var postgres = TestDatabase.Create(DatabaseKind.Postgres);
        using var sqlite = TestDatabase.Create(DatabaseKind.Sqlite);
        Load(postgres.Store, data);
        Load(sqlite.Store, data);

        // At the latest poll, and at a time in the middle of the data, between two polls.
        foreach (var asOf in new Instant?[] { null, data.End - Duration.FromHours(100.5) })
        {
            var request = new ReportRequest(asOf, interpolation);
            var expected = Report(sqlite.Store, request);
            Assert.True(expected.Split('\n').Length > 250, "the report should have a row for most of the 300 stores");
            Assert.Equal(expected, Report(postgres.Store, request));
        }
    }

    [SkippableFact]
    public void A_snapshot_opened_from_an_exported_one_sees_the_same_rows_from_another_connection_pool()
    {
        var data = Data();
        using var postgres = TestDatabase.Create(DatabaseKind.Postgres);
        Load(postgres.Store, data);
        var window = new ReportWindow(data.End);

        using var first = ((ISharedSnapshots)postgres.Store).OpenExportedSnapshot();
        var exported = first.Id;
        var expected = Report(first, data.End);

        // Written after the export: a store's poll inside the week, and a new latest poll.
        postgres.Store.WritePolls(
        [
            new PollRow(data.StoreIds[3], (data.End - Duration.FromHours(2)).ToUnixTimeTicks() / 10 + 1, false),
            new PollRow(data.StoreIds[4], (data.End + Duration.FromMinutes(1)).ToUnixTimeTicks() / 10, false),
        ], CancellationToken.None);

        // Another store object is another data source, as in another process.
        using var other = new PostgresMonitoringStore(postgres.Connection);
        using var shared = other.OpenSnapshot(exported);
        Assert.Equal(data.End, shared.LatestPoll());
        Assert.Equal(first.CountPollRows(window.WeekStart, data.End, CancellationToken.None), shared.CountPollRows(window.WeekStart, data.End, CancellationToken.None));
        Assert.Equal(expected, Report(shared, data.End));
        // A snapshot of its own sees both.
        using var fresh = other.OpenSnapshot();
        Assert.Equal(data.End + Duration.FromMinutes(1), fresh.LatestPoll());
        Assert.Equal(first.CountPollRows(window.WeekStart, data.End, CancellationToken.None) + 1, fresh.CountPollRows(window.WeekStart, data.End, CancellationToken.None));
    }

    [SkippableFact]
    public void A_snapshot_id_that_is_not_one_is_refused()
    {
        using var postgres = TestDatabase.Create(DatabaseKind.Postgres);
        Assert.Throws<ArgumentException>(() => ((ISharedSnapshots)postgres.Store).OpenSnapshot("00000003-0000001B-1'; DROP TABLE poll; --"));
        Assert.Equal(0, postgres.Count("poll"));
    }

    [SkippableFact]
    public void A_snapshot_id_whose_exporting_snapshot_has_ended_is_refused()
    {
        using var postgres = TestDatabase.Create(DatabaseKind.Postgres);
        string exported;
        var snapshots = (ISharedSnapshots)postgres.Store;
        using (var first = snapshots.OpenExportedSnapshot())
        {
            exported = first.Id;
        }

        // The exporting transaction has ended, and its snapshot with it: a shard must not read another one.
        var error = Assert.Throws<PostgresException>(() => snapshots.OpenSnapshot(exported));
        Assert.Equal(PostgresErrorCodes.InvalidParameterValue, error.SqlState);
    }

    // A capability a database lacks is not there to call: a SQLite file neither shares snapshots nor keeps shards.
    [SkippableFact]
    public void Only_PostgreSQL_has_what_sharded_reports_need()
    {
        using var sqlite = TestDatabase.Create(DatabaseKind.Sqlite);
        using var postgres = TestDatabase.Create(DatabaseKind.Postgres);

        Assert.False(sqlite.Store is ISharedSnapshots);
        Assert.False(sqlite.Store is IReportShardStore);
        Assert.Null(ShardedReports.Of(sqlite.Store));
        Assert.NotNull(ShardedReports.Of(postgres.Store));
    }

    [SkippableTheory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public void Store_ranges_split_a_report_into_shards_that_make_the_whole(DatabaseKind kind)
    {
        using var database = TestDatabase.Create(kind);
        AssertShardsMakeTheWhole(database.Store);
    }

    private static void AssertShardsMakeTheWhole(IMonitoringStore store)
    {
        var data = Data();
        Load(store, data);
        using var snapshot = store.OpenSnapshot();
        var whole = Report(snapshot, data.End);
        var window = new ReportWindow(data.End);

        // Bounds between and on store ids (UUIDs sort as text; "~" after them all), and an empty range.
        var ids = data.StoreIds.Order(StringComparer.Ordinal).ToList();
        string?[] bounds = [null, ids[40][..8], ids[41], ids[41], ids[200], "~", null];
        var shards = new StringBuilder();
        long rows = 0;
        for (var i = 0; i + 1 < bounds.Length; i++)
        {
            var range = new StoreRange(bounds[i], bounds[i + 1]);
            using var csv = new StringWriter();
            ReportRunner.RunShard(snapshot, data.End, Interpolation.Nearest, maxGap: null, range, first: false, csv);
            shards.Append(csv);
            rows += snapshot.CountPollRows(window.WeekStart, data.End, range, CancellationToken.None);
        }

        Assert.Equal(whole, ReportCsv.Header + "\n" + shards);
        Assert.Equal(snapshot.CountPollRows(window.WeekStart, data.End, CancellationToken.None), rows);
        using var one = new StringWriter();
        ReportRunner.RunShard(snapshot, data.End, Interpolation.Nearest, maxGap: null, new StoreRange(ids[41], ids[42]), first: false, one);
        Assert.StartsWith(ids[41] + ",", one.ToString(), StringComparison.Ordinal);
        Assert.Single(one.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    private static string Report(IReportSnapshot snapshot, Instant asOf)
    {
        using var csv = new StringWriter();
        ReportRunner.Run(snapshot, new ReportRequest(asOf), csv);
        return csv.ToString();
    }
}
