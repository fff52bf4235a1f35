using NodaTime;
using Storemon.Generate;

namespace Storemon.Tests.Generate;

public sealed class PollGenerationTests(MadeUpDataSet dataSet) : IClassFixture<MadeUpDataSet>
{
    private static readonly DateTime DefaultEnd = new DateTime(2023, 1, 25, 18, 13, 22, DateTimeKind.Utc).AddTicks(4_792_200);

    private GeneratedFiles Files => dataSet.Files;

    [Fact]
    public void Poll_count_is_a_little_under_one_an_hour_a_store()
    {
        // 10 % of stores poll twice an hour; missed polls, poller gaps and missing days take a quarter away.
        var storeHours = MadeUpDataSet.StoreCount * GeneratorOptions.DefaultSpan.TotalHours;
        Assert.InRange(Files.Polls.Count, (int)(0.65 * storeHours), (int)(0.92 * storeHours));
        Assert.Equal(Files.Polls.Count, dataSet.Summary.Polls);
        Assert.Equal(MadeUpDataSet.StoreCount, dataSet.Summary.Stores);
    }

    [Fact]
    public void Every_poll_falls_within_the_span_and_the_latest_is_the_end()
    {
        var start = DefaultEnd - GeneratorOptions.DefaultSpan;
        Assert.All(Files.Polls, poll => Assert.InRange(poll.Time, start, DefaultEnd));
        Assert.Equal(DefaultEnd, Files.Polls[^1].Time);
        Assert.True(Files.Polls[0].Time < start.AddHours(1));
    }

    [Fact]
    public void Polls_are_in_time_order_across_stores()
    {
        for (var i = 1; i < Files.Polls.Count; i++)
        {
            Assert.True(Files.Polls[i - 1].Time <= Files.Polls[i].Time, $"Row {i + 1} is earlier than row {i}.");
        }
        Assert.True(Files.Polls.Take(1000).Select(p => p.StoreId).Distinct(StringComparer.Ordinal).Count() > 300);
    }

    [Fact]
    public void Nearly_every_store_is_polled_and_no_poll_is_repeated()
    {
        // A store that joins the platform near the end of the span may have no poll yet.
        Assert.InRange(Files.PollsByStore.Count, MadeUpDataSet.StoreCount * 95 / 100, MadeUpDataSet.StoreCount);
        Assert.Equal(Files.Polls.Count, Files.Polls.Select(p => (p.StoreId, p.Time)).Distinct().Count());
    }

    [Fact]
    public void Most_stores_poll_hourly_and_about_a_tenth_every_30_minutes()
    {
        var cadences = Files.PollsByStore.Where(store => store.Count() >= 24).Select(store => MedianGap(store).TotalMinutes).ToList();
        var halfHourly = cadences.Count(minutes => minutes is > 25 and < 35);
        var hourly = cadences.Count(minutes => minutes is > 55 and < 65);
        Assert.InRange(halfHourly, cadences.Count / 20, cadences.Count / 6);
        Assert.Equal(cadences.Count, halfHourly + hourly);
    }

    [Fact]
    public void Polls_come_a_few_minutes_early_or_late()
    {
        var hourlyGaps = Files.PollsByStore
            .Where(store => MedianGap(store) > TimeSpan.FromMinutes(45))
            .SelectMany(Gaps)
            .Where(gap => gap < TimeSpan.FromMinutes(90))
            .ToList();
        Assert.All(hourlyGaps, gap => Assert.InRange(gap, TimeSpan.FromMinutes(51), TimeSpan.FromMinutes(69)));
        Assert.True(hourlyGaps.Distinct().Count() > hourlyGaps.Count / 2, "Polls are not jittered.");
    }

    [Fact]
    public void Some_stores_miss_a_whole_day()
    {
        var missingADay = Files.PollsByStore.Count(store =>
        {
            var days = store.Select(p => p.Time.Date).ToHashSet();
            var first = store.First().Time.Date;
            var last = store.Last().Time.Date;
            return Enumerable.Range(1, Math.Max(0, (last - first).Days - 1)).Any(d => !days.Contains(first.AddDays(d)));
        });
        Assert.InRange(missingADay, MadeUpDataSet.StoreCount / 20, MadeUpDataSet.StoreCount / 4);
    }

    [Fact]
    public void Some_polls_are_missing_and_poller_gaps_last_hours()
    {
        var gaps = Files.PollsByStore.SelectMany(Gaps).ToList();
        Assert.Contains(gaps, gap => gap > TimeSpan.FromMinutes(100) && gap < TimeSpan.FromMinutes(140));
        Assert.Contains(gaps, gap => gap > TimeSpan.FromHours(4) && gap < TimeSpan.FromHours(20));
    }

    [Fact]
    public void A_typical_store_is_active_in_90_to_97_percent_of_its_polls()
    {
        var shares = ActiveShares();
        var median = shares.Order().ElementAt(shares.Count / 2);
        Assert.InRange(median, 0.90, 0.97);
        Assert.InRange(Files.Polls.Count(p => p.Active) / (double)Files.Polls.Count, 0.88, 0.97);
    }

    [Fact]
    public void A_few_stores_are_mostly_down()
    {
        var mostlyDown = ActiveShares().Count(share => share < 0.3);
        Assert.InRange(mostlyDown, 1, MadeUpDataSet.StoreCount / 25);
    }

    [Fact]
    public void Outages_are_runs_of_inactive_polls_lasting_hours()
    {
        var longestRun = Files.PollsByStore.Max(store => LongestInactiveRun(store.ToList()));
        Assert.True(longestRun >= TimeSpan.FromHours(3), $"The longest run of inactive polls lasts {longestRun}.");
    }

    [Fact]
    public void The_poll_stream_holds_the_same_polls_as_the_file()
    {
        var streamed = SyntheticDataSet.Create(dataSet.Options).Polls().ToList();
        Assert.Equal(Files.Polls.Count, streamed.Count);
        for (var i = 0; i < streamed.Count; i++)
        {
            var expected = Files.Polls[i];
            Assert.Equal(expected.StoreId, streamed[i].StoreId);
            Assert.Equal(expected.Active, streamed[i].Active);
            Assert.Equal(Instant.FromDateTimeUtc(expected.Time).ToUnixTimeTicks() / 10, streamed[i].UnixMicroseconds);
        }
    }

    private List<double> ActiveShares() =>
        Files.PollsByStore.Select(store => store.Count(p => p.Active) / (double)store.Count()).ToList();

    private static IEnumerable<TimeSpan> Gaps(IEnumerable<(string StoreId, DateTime Time, bool Active)> polls) =>
        polls.Zip(polls.Skip(1), (a, b) => b.Time - a.Time);

    private static TimeSpan MedianGap(IEnumerable<(string StoreId, DateTime Time, bool Active)> polls)
    {
        var gaps = Gaps(polls).Order().ToList();
        return gaps.Count == 0 ? TimeSpan.Zero : gaps[gaps.Count / 2];
    }

    private static TimeSpan LongestInactiveRun(List<(string StoreId, DateTime Time, bool Active)> polls)
    {
        var longest = TimeSpan.Zero;
        DateTime? runStart = null;
        foreach (var poll in polls)
        {
            if (poll.Active)
            {
                runStart = null;
                continue;
            }
            runStart ??= poll.Time;
            longest = poll.Time - runStart.Value > longest ? poll.Time - runStart.Value : longest;
        }
        return longest;
    }
}
