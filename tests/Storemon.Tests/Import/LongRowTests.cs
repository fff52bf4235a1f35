using System.Text;
using Storemon.Import;
using Storemon.Tests.Databases;

namespace Storemon.Tests.Import;

/// <summary>
/// A row longer than the most a row may have is one rejected row: the rows around it are imported or
/// rejected as ever, under their own line numbers. The CSV reader once refused the whole file.
/// </summary>
public abstract class LongRowTests(DatabaseKind kind) : DatabaseTest(kind)
{
    internal const string TooLong = "the row is longer than 65,536 characters, the most a row may have.";
    private const string Maybe = "status \"maybe\" is neither active nor inactive.";

    [SkippableTheory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    public void A_row_of_100_000_characters_is_rejected_by_its_line_and_the_rows_after_it_are_read(string lineEnd)
    {
        var path = Db.WriteCsv("long.csv", string.Join(lineEnd,
            "store_id,status,timestamp_utc",
            "s1,active,2024-10-14 10:00:00 UTC",
            $"s-long,active,2024-10-14 10:00:00 UTC{new string('x', 100_000)}",
            "s2,inactive,2024-10-14 11:00:00 UTC",
            "s2,maybe,2024-10-14 12:00:00 UTC",
            "s3,active,2024-10-14 13:00:00 UTC") + lineEnd);

        var summary = CsvImporter.ImportStatus(Db.Store, path);

        Assert.Equal((5, 3, 2), (summary.RowsRead, summary.Imported, summary.Rejected));
        Assert.Equal([new ImportRejection(path, 3, TooLong), new ImportRejection(path, 5, Maybe)], summary.FirstRejections);
        Assert.Equal(["1728900000000000:1"], Db.Polls("s1"));
        Assert.Equal(["1728903600000000:0"], Db.Polls("s2"));
        Assert.Equal(["1728910800000000:1"], Db.Polls("s3"));
        Assert.Equal(0, Db.Scalar("SELECT count(*) FROM store WHERE external_id = 's-long'"));
    }

    [SkippableFact]
    public void A_quoted_field_of_100_000_characters_over_eleven_lines_is_one_rejected_row_and_the_lines_after_it_keep_their_numbers()
    {
        // Ten line breaks of each kind a quoted field may hold, and quotes doubled in it, commas too.
        var field = string.Join(",\"\"\r\n", Enumerable.Repeat(new string('y', 5_000), 6))
            + "\n" + string.Join("\r", Enumerable.Repeat(new string('z', 14_000), 5));
        Assert.True(field.Length > 100_000);
        var path = Db.WriteCsv("quoted.csv",
            "store_id,status,timestamp_utc\n" +
            "s1,active,2024-10-14 10:00:00 UTC\n" +
            $"\"{field}\",active,2024-10-14 10:00:00 UTC\r\n" +
            "s2,maybe,2024-10-14 12:00:00 UTC\n" +
            "\"s2\",inactive,2024-10-14 11:00:00 UTC\n");

        var summary = CsvImporter.ImportStatus(Db.Store, path);

        // The long row starts on line 3 and ends on line 13.
        Assert.Equal((4, 2, 2), (summary.RowsRead, summary.Imported, summary.Rejected));
        Assert.Equal([new ImportRejection(path, 3, TooLong), new ImportRejection(path, 14, Maybe)], summary.FirstRejections);
        Assert.Equal(["1728900000000000:1"], Db.Polls("s1"));
        Assert.Equal(["1728903600000000:0"], Db.Polls("s2"));
    }

    [SkippableFact]
    public void Long_rows_one_after_another_and_at_the_end_of_the_file_are_each_a_rejected_row()
    {
        var huge = new string('9', 300_000);
        var path = Db.WriteCsv("long.csv",
            "store_id,timezone_str\n" +
            $"{huge},UTC\n" +
            $"\"{huge}\",UTC\n" +
            "s1,Asia/Tokyo\n" +
            $"s2,{huge}");

        var summary = CsvImporter.ImportTimeZones(Db.Store, path);

        Assert.Equal((4, 1, 3), (summary.RowsRead, summary.Imported, summary.Rejected));
        Assert.Equal(
            [new ImportRejection(path, 2, TooLong), new ImportRejection(path, 3, TooLong), new ImportRejection(path, 5, TooLong)],
            summary.FirstRejections);
        Assert.Equal("Asia/Tokyo", Db.TimeZone("s1"));
    }

    [SkippableTheory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    public void A_row_of_exactly_the_most_characters_is_read_and_one_more_is_too_long(string lineEnd)
    {
        const string Rest = ",Asia/Tokyo";
        var path = Db.WriteCsv("edge.csv", string.Join(lineEnd,
            "store_id,timezone_str",
            new string('a', CsvTable.MaxRowLength - Rest.Length) + Rest,
            new string('b', CsvTable.MaxRowLength + 1 - Rest.Length) + Rest,
            new string('c', CsvTable.MaxRowLength + 2 - Rest.Length) + Rest,
            "s1,UTC") + lineEnd);

        var summary = CsvImporter.ImportTimeZones(Db.Store, path);

        Assert.Equal((4, 1, 3), (summary.RowsRead, summary.Imported, summary.Rejected));
        Assert.Equal(
            [
                new ImportRejection(path, 2, "store_id is 65525 characters long; a store id has at most 256."),
                new ImportRejection(path, 3, TooLong),
                new ImportRejection(path, 4, TooLong),
            ],
            summary.FirstRejections);
        Assert.Equal("UTC", Db.TimeZone("s1"));
    }

    [SkippableFact]
    public void A_long_quoted_field_left_open_to_the_end_of_the_file_rejects_it_whole()
    {
        var path = Db.WriteCsv("open.csv", "store_id,timezone_str\ns1,UTC\n\"" + new string('q', 50_000) + "\n" + new string('q', 50_000) + ",UTC\n");

        var error = Assert.Throws<ImportRejectedException>(() => CsvImporter.ImportTimeZones(Db.Store, path));

        Assert.Equal(
            $"{path}: line 3 and after cannot be read as CSV (a quoted field is not closed before the end of the file); nothing was imported.",
            error.Message);
        Assert.Equal(0, Db.Count("store"));
    }

    [SkippableFact]
    public void A_header_longer_than_the_most_a_row_may_have_rejects_the_file()
    {
        var path = Db.WriteCsv("header.csv", "store_id,timezone_str," + new string('h', 70_000) + "\ns1,UTC\n");

        var error = Assert.Throws<ImportRejectedException>(() => CsvImporter.ImportTimeZones(Db.Store, path));

        Assert.Equal($"{path}: the header row is longer than 65,536 characters, the most a row may have; nothing was imported.", error.Message);
    }

    [SkippableFact]
    public void Progress_and_counts_run_on_past_a_long_row_in_a_big_file()
    {
        // 150,000 rows with a long row at 70,000: the rows after it are read by the reader that takes over.
        var text = new StringBuilder(WholeFileTests.Polls(70_000, "active"));
        text.Append("s-long,active,").Append('x', 80_000).Append('\n');
        text.Append(WholeFileTests.Polls(80_000, "inactive").AsSpan("store_id,status,timestamp_utc\n".Length));
        text.Append("s9,asleep,2024-10-14 10:00:00 UTC\n");
        var reports = new List<ImportProgress>();

        var summary = CsvImporter.ImportStatus(Db.Store, Db.WriteCsv("big.csv", text.ToString()), new SynchronousProgress(reports.Add));

        Assert.Equal((150_002, 150_000, 2), (summary.RowsRead, summary.Imported, summary.Rejected));
        Assert.Equal([70_002, 150_003], summary.FirstRejections.Select(r => r.Line));
        Assert.Equal([65_536, 131_072, 150_002], reports.Select(r => r.Rows));
    }
}

public sealed class LongRowTests_Sqlite() : LongRowTests(DatabaseKind.Sqlite);

public sealed class LongRowTests_Postgres() : LongRowTests(DatabaseKind.Postgres);
