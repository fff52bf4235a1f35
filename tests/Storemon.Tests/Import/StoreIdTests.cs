using Storemon.Import;
using Storemon.Tests.Databases;

namespace Storemon.Tests.Import;

/// <summary>What a store id may be, in every CSV kind: printable, valid Unicode, at most 256 characters.</summary>
public abstract class StoreIdTests(DatabaseKind kind) : DatabaseTest(kind)
{
    private static readonly string Longest = new('7', StoreIds.MaxLength);

    [SkippableFact]
    public void A_store_id_with_a_control_character_is_a_rejected_row_and_the_rest_is_imported()
    {
        var path = Db.WriteCsv("status.csv",
            "store_id,status,timestamp_utc\n" +
            "s\0\0,active,2023-01-22 12:00:00 UTC\n" +
            "s\t1,active,2023-01-22 12:00:00 UTC\n" +
            "\u001b[31mred,active,2023-01-22 12:00:00 UTC\n" +
            "s\u007f,active,2023-01-22 12:00:00 UTC\n" +
            "s\u0085x,active,2023-01-22 12:00:00 UTC\n" +
            "Café-東京-🍕,active,2023-01-22 12:00:00 UTC\n" +
            "\"s,2\",inactive,2023-01-22 12:00:00 UTC\n");

        var summary = CsvImporter.ImportStatus(Db.Store, path);

        Assert.Equal((7, 2, 5), (summary.RowsRead, summary.Imported, summary.Rejected));
        Assert.Equal(
            [
                (2, "store_id \"s\\u0000\\u0000\" holds the control character U+0000 at position 2; a store id is printable text."),
                (3, "store_id \"s\\u00091\" holds the control character U+0009 at position 2; a store id is printable text."),
                (4, "store_id \"\\u001B[31mred\" holds the control character U+001B at position 1; a store id is printable text."),
                (5, "store_id \"s\\u007F\" holds the control character U+007F at position 2; a store id is printable text."),
                (6, "store_id \"s\\u0085x\" holds the control character U+0085 at position 2; a store id is printable text."),
            ],
            summary.FirstRejections.Select(r => (r.Line, r.Reason)));
        Assert.Equal(["Café-東京-🍕", "s,2"], Db.Rows("SELECT external_id FROM store ORDER BY external_id"));
    }

    [SkippableFact]
    public void A_store_id_longer_than_256_characters_is_a_rejected_row_and_one_of_256_is_kept()
    {
        var path = Db.WriteCsv("zones.csv", $"""
            store_id,timezone_str
            {Longest},Asia/Tokyo
            {Longest}8,Asia/Tokyo
            {new string('x', 5_000)},Asia/Tokyo
            """);

        var summary = CsvImporter.ImportTimeZones(Db.Store, path);

        Assert.Equal((3, 1, 2), (summary.RowsRead, summary.Imported, summary.Rejected));
        Assert.Equal(
            [
                (3, "store_id is 257 characters long; a store id has at most 256."),
                (4, "store_id is 5000 characters long; a store id has at most 256."),
            ],
            summary.FirstRejections.Select(r => (r.Line, r.Reason)));
        Assert.Equal([Longest], Db.Rows("SELECT external_id FROM store"));
    }

    [SkippableFact]
    public void Business_hours_of_a_store_id_with_a_nul_are_rejected_like_any_bad_row()
    {
        var path = Db.WriteCsv("hours.csv",
            "store_id,dayOfWeek,start_time_local,end_time_local\n" +
            "h1,0,09:00:00,17:00:00\n" +
            "h\u00002,0,09:00:00,17:00:00\n");

        var summary = CsvImporter.ImportBusinessHours(Db.Store, path);

        Assert.Equal((2, 1, 1), (summary.RowsRead, summary.Imported, summary.Rejected));
        Assert.Equal((3, "store_id \"h\\u00002\" holds the control character U+0000 at position 2; a store id is printable text."),
            summary.FirstRejections.Select(r => (r.Line, r.Reason)).Single());
        Assert.Equal(1, Db.Count("business_hours"));
    }
}

public sealed class StoreIdRuleTests
{
    // Not [InlineData]: the test runner would pass half a surrogate pair on as U+FFFD.
    [Fact]
    public void A_store_id_with_half_a_surrogate_pair_is_not_text_and_is_refused()
    {
        Assert.Equal("store_id \"\\uD800\" is not valid Unicode (it holds half of a surrogate pair).", StoreIds.Problem("\ud800"));
        Assert.Equal("store_id \"a\\uDC00b\" is not valid Unicode (it holds half of a surrogate pair).", StoreIds.Problem("a\udc00b"));
        Assert.Equal("store_id \"\\uDE00\\uD83D\" is not valid Unicode (it holds half of a surrogate pair).", StoreIds.Problem("\ude00\ud83d"));
        Assert.Null(StoreIds.Problem("\ud83d\ude00"));
        Assert.Equal("store_id is empty.", StoreIds.Problem(""));
    }
}

public sealed class StoreIdTests_Sqlite() : StoreIdTests(DatabaseKind.Sqlite);

public sealed class StoreIdTests_Postgres() : StoreIdTests(DatabaseKind.Postgres);
