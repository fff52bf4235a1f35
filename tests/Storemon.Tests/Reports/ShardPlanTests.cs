using Storemon.Reports;
using Storemon.Storage;

namespace Storemon.Tests.Reports;

/// <summary>How a report's stores are split into shards: consecutive ranges by ordinal id, nearly equal in size.</summary>
public sealed class ShardPlanTests
{
    [Fact]
    public void Ten_stores_in_three_shards_are_three_consecutive_ordinal_ranges_of_3_3_and_4()
    {
        // Ordinal order: 10, 2, C, a, b, d, e, f, g, h (digits, then upper case, then lower case).
        string[] ids = ["b", "a", "C", "10", "2", "d", "e", "f", "g", "h"];

        var plan = ReportJobs.Plan(ids, 3);

        Assert.Equal(
            [new ShardPlan(0, null, "a"), new ShardPlan(1, "a", "e"), new ShardPlan(2, "e", null)],
            plan);
    }

    [Fact]
    public void Every_store_falls_in_exactly_one_shard()
    {
        var ids = Enumerable.Range(0, 1000).Select(i => i.ToString("x", System.Globalization.CultureInfo.InvariantCulture)).ToArray();

        var plan = ReportJobs.Plan(ids, 7);

        Assert.Equal(7, plan.Count);
        foreach (var id in ids)
        {
            Assert.Single(plan, shard =>
                (shard.FromStoreId is null || string.CompareOrdinal(id, shard.FromStoreId) >= 0) &&
                (shard.ToStoreId is null || string.CompareOrdinal(id, shard.ToStoreId) < 0));
        }
        var sizes = plan.Select(shard => ids.Count(id =>
            (shard.FromStoreId is null || string.CompareOrdinal(id, shard.FromStoreId) >= 0) &&
            (shard.ToStoreId is null || string.CompareOrdinal(id, shard.ToStoreId) < 0))).ToArray();
        Assert.Equal([142, 143, 143, 143, 143, 143, 143], sizes);
    }

    // Ids beyond U+FFFF (an emoji: two UTF-16 surrogates) come after U+FF21 in the databases' byte
    // order, but before it in .NET's ordinal order; planned in the latter, the shards [😀, Ａ) and
    // [Ａ, end) would be empty and doubled in the database.
    [Fact]
    public void Shards_follow_the_databases_code_point_order_beyond_the_basic_plane()
    {
        string[] ids = ["\U0001F600", "z", "\uFF21", "a"];

        var plan = ReportJobs.Plan(ids, 4);

        Assert.Equal(
            [new ShardPlan(0, null, "z"), new ShardPlan(1, "z", "\uFF21"), new ShardPlan(2, "\uFF21", "\U0001F600"), new ShardPlan(3, "\U0001F600", null)],
            plan);
        Assert.True(StoreRange.IdOrder.Compare("\uFF21", "\U0001F600") < 0);
        Assert.True(StoreRange.IdOrder.Compare("\uD7FF", "\uE000") < 0);
        Assert.True(StoreRange.IdOrder.Compare("ab", "a") > 0);
    }

    [Theory]
    [InlineData(2, 5, 2)]
    [InlineData(0, 4, 1)]
    public void There_are_never_more_shards_than_stores_and_always_at_least_one(int stores, int asked, int expected)
    {
        var plan = ReportJobs.Plan(Enumerable.Range(0, stores).Select(i => $"s{i}"), asked);

        Assert.Equal(expected, plan.Count);
        Assert.Null(plan[0].FromStoreId);
        Assert.Null(plan[^1].ToStoreId);
    }
}
