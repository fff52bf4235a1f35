using Storemon.Import;
using Storemon.Tests.Databases;

namespace Storemon.Tests.Import;

/// <summary>The files of both versions of the public task import completely, to the row.</summary>
public abstract class RealDataImportTests(DatabaseKind kind) : DatabaseTest(kind)
{
    [SkippableTheory]
    // file, rows, stores, sum of day_of_week, sum of start_us + end_us
    [InlineData("v1_menu_hours.csv", 86_198, 11_116, 261_106, 8_291_324_871_000_000)]
    [InlineData("v2_menu_hours.csv", 35_457, 4_466, 109_606, 3_711_231_231_000_000)]
    public void Every_business_hours_row_of_the_real_files_is_imported(string file, int rows, int stores, long daySum, long timeSum)
    {
        var summary = CsvImporter.ImportBusinessHours(Db.Store, SharedData.PathOf(file));

        Assert.Equal((rows, rows, 0), (summary.RowsRead, summary.Imported, summary.Rejected));
        Assert.Empty(summary.FirstRejections);
        Assert.Equal(rows, Db.Count("business_hours"));
        Assert.Equal(stores, Db.Count("store"));
        Assert.Equal(daySum, Db.Scalar("SELECT sum(day_of_week) FROM business_hours"));
        Assert.Equal(timeSum, Db.Scalar("SELECT sum(start_us + end_us) FROM business_hours"));
    }

    [SkippableTheory]
    [InlineData("v1_timezones.csv", 13_559, "8139926242460185114", "Asia/Beirut")]
    [InlineData("v2_timezones.csv", 4_559, "f6e4d870-a273-49cf-be4d-1bf529e26ff3", "America/Boise")]
    public void Every_time_zone_row_of_the_real_files_is_imported(string file, int rows, string firstStore, string firstZone)
    {
        var summary = CsvImporter.ImportTimeZones(Db.Store, SharedData.PathOf(file));

        Assert.Equal((rows, rows, 0), (summary.RowsRead, summary.Imported, summary.Rejected));
        Assert.Equal(rows, Db.Count("store"));
        Assert.Equal(rows, Db.Scalar("SELECT count(*) FROM store WHERE time_zone IS NOT NULL"));
        Assert.Equal(firstZone, Db.TimeZone(firstStore));
    }

    [SkippableTheory]
    // file, rows, active rows, stores, first poll µs, last poll µs, sum of (poll − first poll) µs
    [InlineData("v1_store_status_sample.csv", 9_999, 9_998, 6_424, 1_674_000_089_472_600, 1_674_670_398_647_069, 3_412_146_305_514_885)]
    [InlineData("v2_store_status_sample.csv", 1_000, 754, 849, 1_723_850_171_800_157, 1_727_999_701_605_873, 3_440_602_344_998_346)]
    public void Every_poll_of_the_real_status_samples_is_imported_to_the_microsecond(
        string file, int rows, int active, int stores, long first, long last, long offsetSum)
    {
        var summary = CsvImporter.ImportStatus(Db.Store, SharedData.PathOf(file));

        Assert.Equal((rows, rows, 0), (summary.RowsRead, summary.Imported, summary.Rejected));
        Assert.Equal(rows, Db.Count("poll"));
        Assert.Equal(active, Db.ActivePolls());
        Assert.Equal(stores, Db.Count("store"));
        var observedAt = Db.Microseconds("observed_at");
        Assert.Equal(first, Db.Scalar($"SELECT min({observedAt}) FROM poll"));
        Assert.Equal(last, Db.Scalar($"SELECT max({observedAt}) FROM poll"));
        Assert.Equal(offsetSum, Db.Scalar($"SELECT sum({observedAt} - {first}) FROM poll"));
    }

    [SkippableTheory]
    [InlineData(ImportKind.BusinessHours, "v2_menu_hours.csv", 35_457, "business_hours")]
    [InlineData(ImportKind.TimeZones, "v2_timezones.csv", 4_559, "store")]
    [InlineData(ImportKind.Status, "v2_store_status_sample.csv", 1_000, "poll")]
    public void Importing_by_kind_reads_each_kind_of_file(ImportKind kind, string file, int rows, string table)
    {
        var summary = CsvImporter.Import(kind, Db.Store, SharedData.PathOf(file), ImportRules.AnyTime);

        Assert.Equal(kind, summary.Kind);
        Assert.Equal((rows, rows, 0), (summary.RowsRead, summary.Imported, summary.Rejected));
        Assert.Equal(rows, Db.Count(table));
    }

    [SkippableFact]
    public void The_2023_ids_beyond_two_to_the_53_survive_exactly()
    {
        CsvImporter.ImportStatus(Db.Store, SharedData.PathOf("v1_store_status_sample.csv"));

        // 8419537941919820732 is not representable as a double: a numeric round trip would change it.
        Assert.Equal(["1674389379388884:1"], Db.Polls("8419537941919820732"));
    }

    [SkippableTheory]
    // version, stores named by hours or zones, with hours but no zone, with a zone but no hours
    [InlineData("v1", 13_584, 25, 2_468)]
    [InlineData("v2", 4_560, 1, 94)]
    public void Hours_and_zones_of_one_version_describe_the_same_stores(string version, int stores, int hoursWithoutZone, int zoneWithoutHours)
    {
        CsvImporter.ImportBusinessHours(Db.Store, SharedData.PathOf($"{version}_menu_hours.csv"));
        CsvImporter.ImportTimeZones(Db.Store, SharedData.PathOf($"{version}_timezones.csv"));

        Assert.Equal(stores, Db.Count("store"));
        Assert.Equal(hoursWithoutZone, Db.Scalar(
            "SELECT count(*) FROM store s WHERE time_zone IS NULL AND EXISTS (SELECT 1 FROM business_hours h WHERE h.store_key = s.store_key)"));
        Assert.Equal(zoneWithoutHours, Db.Scalar(
            "SELECT count(*) FROM store s WHERE time_zone IS NOT NULL AND NOT EXISTS (SELECT 1 FROM business_hours h WHERE h.store_key = s.store_key)"));
    }
}

public sealed class RealDataImportTests_Sqlite() : RealDataImportTests(DatabaseKind.Sqlite);

public sealed class RealDataImportTests_Postgres() : RealDataImportTests(DatabaseKind.Postgres);
