using Storemon.Import;

namespace Storemon.Tests.Import;

/// <summary>How an import's summary reads, apart from any database.</summary>
public sealed class ImportSummaryTextTests
{
    [Fact]
    public void A_summary_reads_as_counts_then_one_rejection_a_line()
    {
        var summary = new ImportSummary("hours.csv", ImportKind.BusinessHours, 12_345, 12_340, 25,
            [new ImportRejection("hours.csv", 3, "dayOfWeek \"7\" is outside 0 (Monday) to 6 (Sunday)."), new ImportRejection("hours.csv", 9, "store_id is empty.")]);

        Assert.Equal(
            """
            hours.csv (business hours): 12,345 rows read, 12,340 imported, 25 rejected
              hours.csv:3: dayOfWeek "7" is outside 0 (Monday) to 6 (Sunday).
              hours.csv:9: store_id is empty.
              … and 23 more rejected rows
            """.ReplaceLineEndings("\n"),
            summary.ToString());
    }
}
