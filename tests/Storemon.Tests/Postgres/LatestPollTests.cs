using NodaTime;
using Storemon.Storage;
using Storemon.Storage.Postgres;
using Storemon.Tests.Databases;

namespace Storemon.Tests.Postgres;

/// <summary>
/// A report's default time is the latest poll. Imports keep it (poll_latest) so that a report need not
/// probe every store for it; where the kept poll is gone, or was never kept, the search still finds it.
/// </summary>
public sealed class LatestPollTests() : DatabaseTest(DatabaseKind.Postgres)
{
    private static readonly Instant Monday = Instant.FromUtc(2023, 1, 2, 0, 0);

    private static PollRow Poll(string store, Instant at) =>
        new(store, at.ToUnixTimeTicks() / global::Storemon.Engine.Poll.TicksPerMicrosecond, true);

    private Instant? LatestPoll()
    {
        using var snapshot = Db.Store.OpenSnapshot();
        return snapshot.LatestPoll();
    }

    private string? Kept() => Db.Text("SELECT s.external_id || ' ' || to_char(l.observed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') FROM poll_latest l JOIN store s USING (store_key)");

    [SkippableFact]
    public void Imports_keep_the_latest_poll_and_an_older_import_does_not_lower_it()
    {
        Db.Store.WritePolls([Poll("a", Monday + Duration.FromHours(30)), Poll("b", Monday + Duration.FromHours(50)), Poll("c", Monday + Duration.FromHours(40))], CancellationToken.None);
        Assert.Equal("b 2023-01-04 02:00", Kept());
        Assert.Equal(Monday + Duration.FromHours(50), LatestPoll());

        Db.Store.WritePolls([Poll("c", Monday + Duration.FromHours(20))], CancellationToken.None);
        Assert.Equal("b 2023-01-04 02:00", Kept());

        Db.Store.WritePolls([Poll("a", Monday + Duration.FromDays(9))], CancellationToken.None);
        Assert.Equal("a 2023-01-11 00:00", Kept());
        Assert.Equal(Monday + Duration.FromDays(9), LatestPoll());
    }

    [SkippableFact]
    public void When_the_kept_poll_is_gone_or_was_never_kept_the_search_finds_the_latest()
    {
        Db.Store.WritePolls([Poll("a", Monday + Duration.FromHours(1)), Poll("b", Monday + Duration.FromDays(8))], CancellationToken.None);

        // Its week dropped (retention): the latest is in the week before.
        Db.Execute("DELETE FROM poll WHERE observed_at >= '2023-01-09'");
        Assert.Equal(Monday + Duration.FromHours(1), LatestPoll());

        // A database from before the table, not imported into since.
        Db.Execute("DELETE FROM poll_latest");
        Assert.Equal(Monday + Duration.FromHours(1), LatestPoll());

        // Every week dropped: there is no latest poll, whatever was kept.
        Db.Store.WritePolls([Poll("b", Monday + Duration.FromDays(8))], CancellationToken.None);
        Assert.Equal(2, ((PostgresMonitoringStore)Db.Store).DropPollPartitionsBefore(Monday + Duration.FromDays(14)));
        Assert.NotNull(Kept());
        Assert.Null(LatestPoll());
    }

    // A database from before the table, with polls up to 11 January, takes a correction for 3 January:
    // the first import to keep a poll must keep the latest of the table, not the latest of its own.
    [SkippableFact]
    public void The_first_import_to_keep_a_poll_keeps_the_latest_of_all_polls_not_of_its_own()
    {
        Db.Store.WritePolls([Poll("a", Monday + Duration.FromDays(9)), Poll("c", Monday + Duration.FromDays(2))], CancellationToken.None);
        Db.Execute("DELETE FROM poll_latest");

        Db.Store.WritePolls([Poll("b", Monday + Duration.FromDays(1))], CancellationToken.None);

        Assert.Equal("a 2023-01-11 00:00", Kept());
        Assert.Equal(Monday + Duration.FromDays(9), LatestPoll());
    }

    [SkippableFact]
    public async Task Concurrent_imports_keep_the_later_of_their_polls()
    {
        using var other = Db.Open();
        var start = new Barrier(2);
        var early = Task.Run(() =>
        {
            start.SignalAndWait();
            return Db.Store.WritePolls(Enumerable.Range(0, 5000).Select(i => Poll($"e{i % 50}", Monday + Duration.FromMinutes(i))), CancellationToken.None);
        });
        var late = Task.Run(() =>
        {
            start.SignalAndWait();
            return other.WritePolls(Enumerable.Range(0, 5000).Select(i => Poll($"l{i % 50}", Monday + Duration.FromMinutes(i) + Duration.FromSeconds(30))), CancellationToken.None);
        });

        var written = await Task.WhenAll(early, late);

        Assert.Equal((5000, 5000), (written[0], written[1]));

        Assert.Equal("l49 2023-01-05 11:19", Kept());
        Assert.Equal(Monday + Duration.FromMinutes(4999) + Duration.FromSeconds(30), LatestPoll());
    }
}
