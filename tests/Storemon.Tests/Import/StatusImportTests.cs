using System.Text;
using Storemon.Import;
using Storemon.Tests.Databases;

namespace Storemon.Tests.Import;

public abstract class StatusImportTests(DatabaseKind kind) : DatabaseTest(kind)
{
    // SPEC, Bad input: a timestamp that parses but cannot be kept is a bad row, never a failed file.
    [SkippableFact]
    public void A_timestamp_past_the_years_the_service_keeps_is_a_rejected_row_and_the_rest_is_imported()
    {
        var path = Db.WriteCsv("status.csv", """
            store_id,status,timestamp_utc
            s1,active,2023-01-22 12:09:39 UTC
            ts,active,9999-12-31T23:59:59-01:00
            ts,active,0001-01-01T00:30:00+01:00
            s2,inactive,2023-01-22T12:09:39+01:00
            """);

        var summary = CsvImporter.ImportStatus(Db.Store, path);

        Assert.Equal((4, 2, 2), (summary.RowsRead, summary.Imported, summary.Rejected));
        Assert.Equal(
            [
                new ImportRejection(path, 3, "timestamp_utc \"9999-12-31T23:59:59-01:00\" lies outside the years 1 to 9999 (in UTC), which the service can keep."),
                new ImportRejection(path, 4, "timestamp_utc \"0001-01-01T00:30:00+01:00\" lies outside the years 1 to 9999 (in UTC), which the service can keep."),
            ],
            summary.FirstRejections);
        Assert.Equal(2, Db.Count("poll"));
    }

    // On PostgreSQL, a poll in the last week of 9999 failed the whole import: the partitions of that
    // week and of the weeks kept ready after it end in year 10000, which a DateTime cannot name.
    [SkippableFact]
    public void Polls_at_the_first_and_last_microsecond_of_the_years_kept_are_imported()
    {
        var path = Db.WriteCsv("status.csv", """
            store_id,status,timestamp_utc
            first,active,0001-01-01 00:00:00 UTC
            last,inactive,9999-12-31 23:59:59.999999 UTC
            """);

        var summary = CsvImporter.ImportStatus(Db.Store, path);

        Assert.Equal((2, 2, 0), (summary.RowsRead, summary.Imported, summary.Rejected));
        Assert.Equal(["-62135596800000000:1"], Db.Polls("first"));
        Assert.Equal(["253402300799999999:0"], Db.Polls("last"));
    }

    // SPEC, Bad input: one device with a wrong clock must not move every report's T to 2099.
    [SkippableFact]
    public void A_poll_more_than_the_future_skew_after_the_clock_at_import_is_rejected_as_in_the_future()
    {
        var path = Db.WriteCsv("status.csv", """
            store_id,status,timestamp_utc
            s1,active,2023-01-25 18:00:00 UTC
            s1,active,2023-01-26 17:59:59.999999 UTC
            s1,inactive,2023-01-26T18:00:00Z
            s2,active,2023-01-26 18:00:00.000001 UTC
            s3,active,2099-01-01 00:00:00 UTC
            s4,active,9999-12-31T23:59:59Z
            """);
        var rules = ImportRules.At(new DateTimeOffset(2023, 1, 25, 18, 0, 0, TimeSpan.Zero), TimeSpan.FromHours(24));

        var summary = CsvImporter.Import(ImportKind.Status, Db.Store, path, rules);

        Assert.Equal((6, 3, 3), (summary.RowsRead, summary.Imported, summary.Rejected));
        const string After = "is in the future: more than 24 h after this service's clock at import (2023-01-25 18:00:00 UTC).";
        Assert.Equal(
            [
                new ImportRejection(path, 5, $"timestamp_utc \"2023-01-26 18:00:00.000001 UTC\" {After}"),
                new ImportRejection(path, 6, $"timestamp_utc \"2099-01-01 00:00:00 UTC\" {After}"),
                new ImportRejection(path, 7, $"timestamp_utc \"9999-12-31T23:59:59Z\" {After}"),
            ],
            summary.FirstRejections);
        Assert.Equal(3, Db.Count("poll"));
        Assert.Equal(1, Db.Scalar("SELECT count(DISTINCT store_key) FROM poll"));
    }

    [SkippableFact]
    public void A_future_skew_of_zero_accepts_a_poll_at_the_clock_and_none_after_it()
    {
        var path = Db.WriteCsv("status.csv", """
            store_id,status,timestamp_utc
            s1,active,2024-10-14T10:00:00+02:00
            s1,active,2024-10-14T08:00:01Z
            """);

        var summary = CsvImporter.Import(ImportKind.Status, Db.Store, path, ImportRules.At(new DateTimeOffset(2024, 10, 14, 8, 0, 0, TimeSpan.Zero), TimeSpan.Zero));

        Assert.Equal((2, 1, 1), (summary.RowsRead, summary.Imported, summary.Rejected));
        Assert.Equal(
            "timestamp_utc \"2024-10-14T08:00:01Z\" is in the future: more than 0 h after this service's clock at import (2024-10-14 08:00:00 UTC).",
            Assert.Single(summary.FirstRejections).Reason);
    }

    [SkippableFact]
    public void Each_bad_status_row_is_rejected_with_its_line_number_and_reason_while_the_good_rows_are_imported()
    {
        var path = Db.WriteCsv("status.csv", """
            store_id,status,timestamp_utc
            s1,active,2023-01-22 12:09:39.388884 UTC
            s1,actve,2023-01-22 13:09:39 UTC
            s2,inactive,2023-01-22 12:09:39.3 UTC
            s2,active,yesterday
            s3,active,2023-02-30 10:00:00 UTC
            ,active,2023-01-22 12:00:00 UTC
            s4,active
            s4,active,2023-01-22 12:00:00 UTC,extra
            s4
             s5 , ACTIVE ,2024-02-29T10:00:00Z
            s6,Inactive,2024-10-07T14:09:39+02:00
            """);

        var summary = CsvImporter.ImportStatus(Db.Store, path);

        Assert.Equal((11, 4, 7), (summary.RowsRead, summary.Imported, summary.Rejected));
        Assert.Equal(
            [
                new ImportRejection(path, 3, "status \"actve\" is neither active nor inactive."),
                new ImportRejection(path, 5, "timestamp_utc \"yesterday\" is not a valid timestamp (like 2023-01-22 12:09:39.388884 UTC, or ISO 8601 with Z or an offset)."),
                new ImportRejection(path, 6, "timestamp_utc \"2023-02-30 10:00:00 UTC\" is not a valid timestamp (like 2023-01-22 12:09:39.388884 UTC, or ISO 8601 with Z or an offset)."),
                new ImportRejection(path, 7, "store_id is empty."),
                new ImportRejection(path, 8, "the row has 2 fields where the header has 3."),
                new ImportRejection(path, 9, "the row has 4 fields where the header has 3."),
                new ImportRejection(path, 10, "the row has 1 field where the header has 3."),
            ],
            summary.FirstRejections);
        Assert.Equal(4, Db.Count("poll"));
        Assert.Equal(["1674389379388884:1"], Db.Polls("s1"));
        Assert.Equal(["1674389379300000:0"], Db.Polls("s2"));
        Assert.Equal(["1709200800000000:1"], Db.Polls("s5"));
        Assert.Equal(["1728302979000000:0"], Db.Polls("s6"));
        // Stores named only by rejected rows are not created.
        Assert.Equal(["s1", "s2", "s5", "s6"], Db.Rows("SELECT external_id FROM store ORDER BY external_id"));
    }

    [SkippableFact]
    public void Columns_are_found_by_trimmed_case_insensitive_header_name_in_any_order_and_unknown_columns_are_ignored()
    {
        var path = Db.WriteCsv("status.csv", """
             Timestamp_UTC ,note,STATUS,Store_ID
            2023-01-22 12:09:39 UTC,first,active,s1
            2023-01-22 13:09:39 UTC,,inactive,s1
            """);

        var summary = CsvImporter.ImportStatus(Db.Store, path);

        Assert.Equal((2, 2, 0), (summary.RowsRead, summary.Imported, summary.Rejected));
        Assert.Equal(["1674389379000000:1", "1674392979000000:0"], Db.Polls("s1"));
    }

    [SkippableFact]
    public void A_byte_order_mark_CRLF_line_ends_and_a_missing_final_newline_change_nothing()
    {
        var text = "store_id,status,timestamp_utc\r\ns1,active,2023-01-22 12:09:39 UTC\r\ns1,broken,2023-01-22 13:09:39 UTC\r\ns1,inactive,2023-01-22 14:09:39 UTC";
        var path = Db.WriteCsv("excel.csv", [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text)]);

        var summary = CsvImporter.ImportStatus(Db.Store, path);

        Assert.Equal((3, 2, 1), (summary.RowsRead, summary.Imported, summary.Rejected));
        Assert.Equal(3, Assert.Single(summary.FirstRejections).Line);
        Assert.Equal(["1674389379000000:1", "1674396579000000:0"], Db.Polls("s1"));
        Assert.Equal(["s1"], Db.Rows("SELECT external_id FROM store"));
    }

    [SkippableFact]
    public void Line_numbers_count_physical_lines_across_quoted_line_breaks_and_blank_lines()
    {
        var path = Db.WriteCsv("status.csv",
            "store_id,status,timestamp_utc\n" +
            "\"two\nlines\",active,2023-01-22 12:00:00 UTC\n" +
            "\n" +
            "s1,bogus,2023-01-22 12:00:00 UTC\n" +
            "\"s,2\",active,2023-01-22 12:00:00 UTC\r\n" +
            "s1,active,2023-01-22 12:00:00 UTC,\n" +
            "\n\n");

        var summary = CsvImporter.ImportStatus(Db.Store, path);

        // Blank lines are neither rows nor rejections; a line break is no part of a store id.
        Assert.Equal((4, 1, 3), (summary.RowsRead, summary.Imported, summary.Rejected));
        Assert.Equal([2, 5, 7], summary.FirstRejections.Select(r => r.Line));
        Assert.Equal("store_id \"two\\u000Alines\" holds the control character U+000A at position 4; a store id is printable text.",
            summary.FirstRejections[0].Reason);
        Assert.Equal(["1674388800000000:1"], Db.Polls("s,2"));
    }

    // The CSV reader split this \r\r\n into two empty records, "\r" and "\n", and each counted as a
    // line: every rejection after it named the line below the right one.
    [SkippableFact]
    public void A_line_ending_in_a_carriage_return_before_a_CRLF_shifts_no_line_number()
    {
        var path = Db.WriteCsv("status.csv",
            "status,store_id,timestamp_utc\r\r\n" +
            "\" Inactive \",s2,yesterday\r" +
            "inactive,s3,today\n");

        var summary = CsvImporter.ImportStatus(Db.Store, path);

        Assert.Equal((2, 0, 2), (summary.RowsRead, summary.Imported, summary.Rejected));
        Assert.Equal([3, 4], summary.FirstRejections.Select(r => r.Line));
    }

    [SkippableFact]
    public void Re_importing_a_poll_replaces_its_status_and_never_duplicates_it()
    {
        CsvImporter.ImportStatus(Db.Store, Db.WriteCsv("first.csv", """
            store_id,status,timestamp_utc
            s1,active,2023-01-22 12:00:00 UTC
            s1,active,2023-01-22 13:00:00 UTC
            """));

        var summary = CsvImporter.ImportStatus(Db.Store, Db.WriteCsv("second.csv", """
            store_id,status,timestamp_utc
            s1,inactive,2023-01-22T13:00:00.000000Z
            s1,inactive,2023-01-22 14:00:00 UTC
            """));

        Assert.Equal((2, 2, 0), (summary.RowsRead, summary.Imported, summary.Rejected));
        Assert.Equal(["1674388800000000:1", "1674392400000000:0", "1674396000000000:0"], Db.Polls("s1"));
    }

    [SkippableFact]
    public void Within_one_file_the_last_row_for_a_poll_wins()
    {
        var summary = CsvImporter.ImportStatus(Db.Store, Db.WriteCsv("status.csv", """
            store_id,status,timestamp_utc
            s1,active,2023-01-22 12:00:00 UTC
            s1,inactive,2023-01-22 12:00:00.000000 UTC
            s1,active,2023-01-22T14:00:00+02:00
            s1,inactive,2023-01-22 12:00:00.0000001 UTC
            """));

        Assert.Equal((4, 4, 0), (summary.RowsRead, summary.Imported, summary.Rejected));
        Assert.Equal(["1674388800000000:0"], Db.Polls("s1"));
    }

    [SkippableFact]
    public void Store_ids_are_kept_as_opaque_text()
    {
        CsvImporter.ImportStatus(Db.Store, Db.WriteCsv("status.csv", """
            store_id,status,timestamp_utc
            0042,active,2023-01-22 12:00:00 UTC
            42,inactive,2023-01-22 12:00:00 UTC
            1E3,active,2023-01-22 12:00:00 UTC
            """));

        Assert.Equal(["0042", "1E3", "42"], Db.Rows("SELECT external_id FROM store ORDER BY external_id"));
        Assert.Equal(["1674388800000000:0"], Db.Polls("42"));
    }
}

public sealed class StatusImportTests_Sqlite() : StatusImportTests(DatabaseKind.Sqlite);

public sealed class StatusImportTests_Postgres() : StatusImportTests(DatabaseKind.Postgres);
