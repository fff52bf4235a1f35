using Storemon.Import;
using Storemon.Tests.Databases;

namespace Storemon.Tests.Import;

public abstract class BusinessHoursImportTests(DatabaseKind kind) : DatabaseTest(kind)
{
    private const string NotATime = "is not a time of day (HH:MM[:SS[.ffffff]], 00:00 to 23:59:59.999999, or 24:00 as an end).";

    [SkippableFact]
    public void Each_bad_hours_row_is_rejected_with_its_line_number_and_reason_while_the_good_rows_are_imported()
    {
        var path = Db.WriteCsv("hours.csv", """
            store_id,dayOfWeek,start_time_local,end_time_local
            h1,0,09:00,17:00
            h1,7,09:00,17:00
            h1,Mon,09:00,17:00
            h1,1,25:00,26:00
            h1,2,24:00:00,10:00
            h1,3,22:00:00,24:00:00
            h1,4,09:60,10:00
            h1,5,9:30,17:45:30.5
            ,6,09:00,17:00
            h1,6,09:00
            h1,-1,09:00,10:00
            h1,6,09:00,24:00:01
            h1,6,22:00,02:00
            """);

        var summary = CsvImporter.ImportBusinessHours(Db.Store, path);

        Assert.Equal((13, 4, 9), (summary.RowsRead, summary.Imported, summary.Rejected));
        Assert.Equal(
            [
                (3, "dayOfWeek \"7\" is outside 0 (Monday) to 6 (Sunday)."),
                (4, "dayOfWeek \"Mon\" is not a whole number from 0 (Monday) to 6 (Sunday)."),
                (5, $"start_time_local \"25:00\" {NotATime}"),
                (6, "start_time_local 24:00 is the end of the day; it is only allowed as an end time."),
                (8, $"start_time_local \"09:60\" {NotATime}"),
                (10, "store_id is empty."),
                (11, "the row has 3 fields where the header has 4."),
                (12, "dayOfWeek \"-1\" is not a whole number from 0 (Monday) to 6 (Sunday)."),
                (13, $"end_time_local \"24:00:01\" {NotATime}"),
            ],
            summary.FirstRejections.Select(r => (r.Line, r.Reason)));
        Assert.Equal(
            ["0 32400000000-61200000000", "3 79200000000-86400000000", "5 34200000000-63930500000", "6 79200000000-7200000000"],
            Db.Hours("h1"));
    }

    [SkippableFact]
    public void The_2023_day_column_is_accepted_for_dayOfWeek()
    {
        var summary = CsvImporter.ImportBusinessHours(Db.Store, Db.WriteCsv("hours.csv", """
            store_id,DAY,start_time_local,end_time_local
            h1,6,00:00:00,23:59:59
            """));

        Assert.Equal((1, 1, 0), (summary.RowsRead, summary.Imported, summary.Rejected));
        Assert.Equal(["6 0-86399000000"], Db.Hours("h1"));
    }

    [SkippableFact]
    public void An_import_replaces_the_hours_of_the_stores_it_names_and_leaves_the_others_alone()
    {
        CsvImporter.ImportBusinessHours(Db.Store, Db.WriteCsv("first.csv", """
            store_id,dayOfWeek,start_time_local,end_time_local
            a,0,09:00,17:00
            a,1,09:00,17:00
            b,2,10:00,12:00
            c,3,10:00,12:00
            """));

        var summary = CsvImporter.ImportBusinessHours(Db.Store, Db.WriteCsv("second.csv", """
            store_id,dayOfWeek,start_time_local,end_time_local
            a,4,08:00,09:00
            a,4,10:00,11:00
            c,9,10:00,12:00
            d,5,00:00,00:00
            """));

        Assert.Equal((4, 3, 1), (summary.RowsRead, summary.Imported, summary.Rejected));
        Assert.Equal(["4 28800000000-32400000000", "4 36000000000-39600000000"], Db.Hours("a"));
        Assert.Equal(["2 36000000000-43200000000"], Db.Hours("b"));
        // A rejected row changes nothing, so c keeps its hours.
        Assert.Equal(["3 36000000000-43200000000"], Db.Hours("c"));
        Assert.Equal(["5 0-0"], Db.Hours("d"));
        Assert.Equal(5, Db.Count("business_hours"));
    }
}

public sealed class BusinessHoursImportTests_Sqlite() : BusinessHoursImportTests(DatabaseKind.Sqlite);

public sealed class BusinessHoursImportTests_Postgres() : BusinessHoursImportTests(DatabaseKind.Postgres);
