using Storemon.Import;
using Storemon.Tests.Databases;

namespace Storemon.Tests.Import;

public abstract class TimeZoneImportTests(DatabaseKind kind) : DatabaseTest(kind)
{
    [SkippableFact]
    public void Each_bad_zone_row_is_rejected_with_its_line_number_and_reason_while_the_good_rows_are_imported()
    {
        var path = Db.WriteCsv("zones.csv", """
            store_id,timezone_str
            z1,America/New_York
            z2,Mars/Olympus_Mons
            z3, europe/berlin
            z4,
            z5,Asia/Tokyo,extra
              ,Asia/Tokyo
            z6,EST5EDT
            """);

        var summary = CsvImporter.ImportTimeZones(Db.Store, path);

        Assert.Equal((7, 3, 4), (summary.RowsRead, summary.Imported, summary.Rejected));
        Assert.Equal(
            [
                (3, "timezone_str \"Mars/Olympus_Mons\" is not a time zone of the IANA tz database (like America/New_York)."),
                (5, "timezone_str \"\" is not a time zone of the IANA tz database (like America/New_York)."),
                (6, "the row has 3 fields where the header has 2."),
                (7, "store_id is empty."),
            ],
            summary.FirstRejections.Select(r => (r.Line, r.Reason)));
        Assert.Equal("America/New_York", Db.TimeZone("z1"));
        // Stored in the tz database's own spelling, so that the report finds it.
        Assert.Equal("Europe/Berlin", Db.TimeZone("z3"));
        Assert.Equal("EST5EDT", Db.TimeZone("z6"));
        Assert.Equal(3, Db.Count("store"));
    }

    [SkippableFact]
    public void An_import_upserts_the_zone_of_each_store_it_names()
    {
        CsvImporter.ImportStatus(Db.Store, Db.WriteCsv("status.csv", """
            store_id,status,timestamp_utc
            z1,active,2023-01-22 12:00:00 UTC
            """));
        CsvImporter.ImportTimeZones(Db.Store, Db.WriteCsv("first.csv", """
            store_id,timezone_str
            z1,America/New_York
            z2,America/Chicago
            """));

        var summary = CsvImporter.ImportTimeZones(Db.Store, Db.WriteCsv("second.csv", """
            store_id,timezone_str
            z1,Europe/Berlin
            z3,Asia/Tokyo
            """));

        Assert.Equal((2, 2, 0), (summary.RowsRead, summary.Imported, summary.Rejected));
        Assert.Equal(
            ["z1 Europe/Berlin", "z2 America/Chicago", "z3 Asia/Tokyo"],
            Db.Rows("SELECT external_id || ' ' || time_zone FROM store ORDER BY external_id"));
        Assert.Equal(["1674388800000000:1"], Db.Polls("z1"));
    }
}

public sealed class TimeZoneImportTests_Sqlite() : TimeZoneImportTests(DatabaseKind.Sqlite);

public sealed class TimeZoneImportTests_Postgres() : TimeZoneImportTests(DatabaseKind.Postgres);
