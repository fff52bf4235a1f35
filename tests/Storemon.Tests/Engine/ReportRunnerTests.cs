using System.Globalization;
using NodaTime;
using Storemon.Engine;
using Storemon.Reports;
using Storemon.Tests.Databases;
using static Storemon.Tests.Engine.TestStore;

namespace Storemon.Tests.Engine;

/// <summary>The engine behind a real report over a real database: defaults, which polls count, which stores appear, and the CSV's numbers.</summary>
public abstract class ReportRunnerTests : DatabaseTest
{
    // Monday 23 January 2023, 12:00 in Chicago.
    private static readonly Instant NoonInChicago = Utc("2023-01-23 18:00");

    private readonly ReportDatabase _database;

    protected ReportRunnerTests(DatabaseKind kind)
        : base(kind)
    {
        _database = new ReportDatabase(Db);
    }

    private ReportDatabase WorkedExample(string storeId) => _database
        .Zone(storeId, "America/Chicago")
        .Hours(storeId, SpecDay.Monday, "09:00", "12:00")
        .Poll(storeId, Utc("2023-01-23 16:14"), active: true)   // 10:14 in Chicago
        .Poll(storeId, Utc("2023-01-23 17:15"), active: false); // 11:15 in Chicago

    [SkippableFact]
    public void Worked_example_reports_minutes_for_the_hour_and_hours_for_the_day_and_week()
    {
        // 104.5 min up = 1.74 h, 75.5 min down = 1.26 h; the last hour (11:00–12:00) is all down.
        Assert.Equal(["0.00", "1.74", "1.74", "60.00", "1.26", "1.26"], WorkedExample("s").ReportRow("s", NoonInChicago));
    }

    [SkippableFact]
    public void Worked_example_with_carry_forward_reports_135_minutes_up_and_45_down()
    {
        Assert.Equal(
            ["15.00", "2.25", "2.25", "45.00", "0.75", "0.75"],
            WorkedExample("s").ReportRow("s", NoonInChicago, Interpolation.CarryForward));
    }

    [SkippableFact]
    public void Store_without_a_time_zone_row_is_in_Chicago()
    {
        var asOf = Utc("2023-01-23 16:00"); // 10:00 in Chicago
        foreach (var store in new[] { "no-zone", "utc" })
        {
            _database.Hours(store, SpecDay.Monday, "09:00", "12:00").Poll(store, asOf - Duration.FromMinutes(30), active: true);
        }
        _database.Zone("utc", "Etc/UTC");

        var report = _database.Report(asOf);

        // Chicago: open 09:00–10:00 of the last hour, and 10:00–12:00 of last Monday fell in the week.
        Assert.Equal(["no-zone", "60.00", "1.00", "3.00", "0.00", "0.00", "0.00"], report[0]);
        Assert.Equal(["utc", "0.00", "3.00", "3.00", "0.00", "0.00", "0.00"], report[1]);
    }

    [SkippableFact]
    public void Store_without_business_hours_is_open_all_week()
    {
        _database.Poll("s", NoonInChicago - Duration.FromHours(1), active: true);

        Assert.Equal(["60.00", "24.00", "168.00", "0.00", "0.00", "0.00"], _database.ReportRow("s", NoonInChicago));
    }

    private ReportDatabase UpAtTenThenDownAfterNoon(string storeId) => _database
        .Poll(storeId, NoonInChicago - Duration.FromHours(2), active: true)
        .Poll(storeId, NoonInChicago + Duration.FromMinutes(10), active: false);

    [SkippableFact]
    public void Polls_after_the_report_time_are_ignored()
    {
        UpAtTenThenDownAfterNoon("s");

        Assert.Equal(["60.00", "24.00", "168.00", "0.00", "0.00", "0.00"], _database.ReportRow("s", NoonInChicago));
    }

    [SkippableFact]
    public void Report_time_defaults_to_the_latest_poll_in_the_database()
    {
        UpAtTenThenDownAfterNoon("s");

        // T = 12:10, so the poll at 12:10 counts: from the midpoint 11:05 on, 65 minutes are down,
        // the whole last hour (11:10–12:10) among them.
        Assert.Equal(["0.00", "22.92", "166.92", "60.00", "1.08", "1.08"], _database.ReportRow("s"));
    }

    [SkippableFact]
    public void Store_silent_all_week_is_left_out_of_the_report()
    {
        _database
            .Poll("silent", NoonInChicago - Duration.FromHours(169), active: true)
            .Poll("only-later", NoonInChicago + Duration.FromHours(1), active: true)
            .Poll("at-week-start", NoonInChicago - Duration.FromHours(168), active: false);

        var report = _database.Report(NoonInChicago);

        Assert.Equal(["at-week-start"], report.Select(row => row[0]));
    }

    [SkippableFact]
    public void Latest_poll_before_the_week_decides_the_start_of_the_week_and_older_ones_do_not()
    {
        _database
            .Poll("s", NoonInChicago - Duration.FromHours(300), active: true)
            .Poll("s", NoonInChicago - Duration.FromHours(170), active: false)
            .Poll("s", NoonInChicago - Duration.FromHours(100), active: true);

        // The midpoint of T−170h and T−100h is T−135h: the week's first 33 hours are down.
        Assert.Equal(["60.00", "24.00", "135.00", "0.00", "0.00", "33.00"], _database.ReportRow("s", NoonInChicago));
    }

    [SkippableFact]
    public void Values_are_rounded_half_away_from_zero_to_two_decimals()
    {
        var hourStart = NoonInChicago - Duration.FromHours(1);
        _database
            .Poll("s", hourStart, active: true)
            .Poll("s", hourStart + Duration.FromSeconds(15), active: false);

        // Up 7.5 s of the last hour = 0.125 min, which rounds to 0.13 (not to the even 0.12);
        // down 59.875 min rounds to 59.88.
        Assert.Equal(["0.13", "23.00", "167.00", "59.88", "1.00", "1.00"], _database.ReportRow("s", NoonInChicago));
    }

    [SkippableFact]
    public void Numbers_use_a_dot_whatever_the_current_culture()
    {
        // The build runs with invariant globalization, where de-DE cannot be created: a culture that
        // writes numbers the German way (1.234,56) stands in for it.
        var german = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        german.NumberFormat.NumberDecimalSeparator = ",";
        german.NumberFormat.NumberGroupSeparator = ".";
        var original = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = german;
        try
        {
            Assert.Equal("1,5", 1.5m.ToString(CultureInfo.CurrentCulture)); // the stand-in does write commas

            Assert.Equal(["0.00", "1.74", "1.74", "60.00", "1.26", "1.26"], WorkedExample("s").ReportRow("s", NoonInChicago));
        }
        finally
        {
            CultureInfo.CurrentCulture = original;
        }
    }

    [SkippableFact]
    public void Stores_are_ordered_by_ordinal_store_id()
    {
        foreach (var store in new[] { "b", "9", "B", "10", "a" })
        {
            _database.Poll(store, NoonInChicago, active: true);
        }

        Assert.Equal(["10", "9", "B", "a", "b"], _database.Report().Select(row => row[0]));
    }
}

public sealed class ReportRunnerTests_Sqlite() : ReportRunnerTests(DatabaseKind.Sqlite);

public sealed class ReportRunnerTests_Postgres() : ReportRunnerTests(DatabaseKind.Postgres);
