using NodaTime;
using Npgsql;
using Storemon.Engine;
using Storemon.Storage;
using Storemon.Tests.Databases;

namespace Storemon.Tests.Storage;

/// <summary>
/// The shards of one report, read by several processes, must see one and the same snapshot: on
/// PostgreSQL one snapshot exports an id under which other connections open it.
/// </summary>
public sealed class SharedSnapshotTests() : DatabaseTest(DatabaseKind.Postgres)
{
    private static readonly Instant Noon = Instant.FromUtc(2024, 10, 3, 12, 0);

    private static PollRow PollAt(string store, Instant at, bool active) => new(store, at.ToUnixTimeTicks() / Poll.TicksPerMicrosecond, active);

    [SkippableFact]
    public void A_snapshot_opened_by_its_exported_id_elsewhere_sees_what_the_exporting_one_sees()
    {
        var weekStart = Noon - Duration.FromDays(7);
        Db.Store.WritePolls([PollAt("s1", Noon - Duration.FromHours(2), true), PollAt("s2", Noon - Duration.FromHours(1), false)], CancellationToken.None);
        Db.Store.UpsertTimeZones([new TimeZoneRow("s1", "Asia/Tokyo")], CancellationToken.None);

        using var exporting = Db.Store.OpenSnapshot();
        var shared = exporting.ExportSnapshot();
        Assert.NotNull(shared);
        // Written after the export, before the other process opens the snapshot.
        Db.Store.WritePolls([PollAt("s1", Noon, false), PollAt("s3", Noon, true)], CancellationToken.None);
        Db.Store.UpsertTimeZones([new TimeZoneRow("s1", "Europe/Berlin")], CancellationToken.None);

        using var elsewhere = Db.Open();
        using var joined = elsewhere.OpenSnapshot(shared);

        Assert.Equal(Noon - Duration.FromHours(1), joined.LatestPoll());
        Assert.Equal(["s1 Asia/Tokyo", "s2 -"], joined.Stores().Values.Select(s => $"{s.ExternalId} {s.TimeZone ?? "-"}").Order(StringComparer.Ordinal));
        Assert.Equal(2, joined.CountPollRows(weekStart, Noon, CancellationToken.None));
        Assert.Equal(exporting.CountPollRows(weekStart, Noon, CancellationToken.None), joined.CountPollRows(weekStart, Noon, CancellationToken.None));

        using var fresh = Db.Store.OpenSnapshot();
        Assert.Equal(4, fresh.CountPollRows(weekStart, Noon, CancellationToken.None));
    }

    [SkippableFact]
    public void A_snapshot_id_whose_exporting_snapshot_has_ended_is_refused()
    {
        string shared;
        using (var exporting = Db.Store.OpenSnapshot())
        {
            shared = exporting.ExportSnapshot()!;
        }

        // The exporting transaction has ended, and its snapshot with it: a shard must not read another one.
        var error = Assert.Throws<PostgresException>(() => Db.Store.OpenSnapshot(shared));
        Assert.Equal(PostgresErrorCodes.InvalidParameterValue, error.SqlState);
        Assert.Throws<ArgumentException>(() => Db.Store.OpenSnapshot("00000003-0000001B-1'; DROP TABLE poll; --"));
    }
}
