using NodaTime;
using Storemon.Engine;
using Storemon.Reports;
using Storemon.Storage;
using Storemon.Tests.Databases;

namespace Storemon.Tests.Postgres;

/// <summary>
/// A shard's heartbeat tells its worker whether to go on: only while the shard is Running in a report
/// still Running in the shard's attempt. Otherwise the worker would compute a whole shard (holding its
/// snapshot open) for nothing.
/// </summary>
public sealed class ShardStoreTests() : DatabaseTest(DatabaseKind.Postgres)
{
    private static readonly Instant Start = Instant.FromUtc(2024, 10, 14, 12, 0);

    private static Instant At(int seconds) => Start + Duration.FromSeconds(seconds);

    private IReportShardStore Shards => (IReportShardStore)Db.Store;

    private string SharedSnapshot()
    {
        // Any exported snapshot id will do for the record; nobody imports it here.
        using var snapshot = ((ISharedSnapshots)Db.Store).OpenExportedSnapshot();
        return snapshot.Id;
    }

    private ShardWork Claim(int seconds) => Shards.TryClaimShard("r1", At(seconds), At(seconds - 10))!;

    private void Planned()
    {
        Db.Store.CreateReport(new ReportRecord("r1", ReportStatus.Pending, new ReportRequest(), At(0)));
        Assert.NotNull(Db.Store.TryStartReport("r1", At(1), At(0)));
        Shards.PlanShards("r1", 1, SharedSnapshot(), At(0), [new ShardPlan(0, null, "m"), new ShardPlan(1, "m", null)]);
    }

    [SkippableFact]
    public void A_shard_beats_while_running_and_not_once_done()
    {
        Planned();
        var first = Claim(2);

        Assert.True(Shards.ShardHeartbeat("r1", 1, first.Index, 10, At(3)));
        Shards.CompleteShard("r1", 1, first.Index, new ReportSummary(At(0), 20, 0), "s,1\n"u8, At(4));
        Assert.False(Shards.ShardHeartbeat("r1", 1, first.Index, 20, At(5)));
        Assert.Equal(new ShardProgress(1, 2, 20), Shards.ShardProgress("r1", 1));
    }

    [SkippableFact]
    public void A_shard_stops_beating_when_its_report_fails_or_is_run_again()
    {
        Planned();
        var first = Claim(2);
        var second = Claim(2);

        Assert.True(Db.Store.FailReport("r1", 1, "shard 1 of 2 failed", At(3)));
        Assert.False(Shards.ShardHeartbeat("r1", 1, second.Index, 5, At(4)));

        // Run again (attempt 2): the shards of attempt 1 beat no more, whatever their rows say.
        Db.Execute("UPDATE report SET status = 'Running'");
        Assert.True(Shards.ShardHeartbeat("r1", 1, first.Index, 5, At(5)));
        Assert.NotNull(Db.Store.TryStartReport("r1", At(100), At(50)));
        Assert.False(Shards.ShardHeartbeat("r1", 1, first.Index, 6, At(101)));
    }
}
