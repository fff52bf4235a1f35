using NodaTime;
using Storemon.Generate;

namespace Storemon.Tests.Generate;

public sealed class MadeUpStoresTests(MadeUpDataSet dataSet) : IClassFixture<MadeUpDataSet>
{
    private GeneratedFiles Files => dataSet.Files;

    [Fact]
    public void Store_ids_are_distinct_uuids()
    {
        var ids = Files.PollsByStore.Select(store => store.Key).ToList();
        Assert.All(ids, id => Assert.True(Guid.TryParseExact(id, "D", out var uuid) && uuid.Version == 4, id));
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Zones_are_mostly_american_with_a_few_others_and_all_known_to_the_tz_database()
    {
        var zones = Files.Zones.Select(row => row[1]).ToList();
        Assert.All(zones, zone => Assert.NotNull(DateTimeZoneProviders.Tzdb.GetZoneOrNull(zone)));
        Assert.InRange(zones.Count(zone => zone.StartsWith("America/", StringComparison.Ordinal)) / (double)zones.Count, 0.85, 0.98);
        Assert.Contains("America/New_York", zones);
        Assert.Contains("America/Chicago", zones);
        Assert.Contains(zones, zone => !zone.StartsWith("America/", StringComparison.Ordinal));
    }

    [Fact]
    public void The_zone_list_includes_the_zones_with_odd_offsets()
    {
        using var directory = new TempDirectory();
        DataGenerator.Generate(new GeneratorOptions { OutputDirectory = directory.Path, Stores = 3_000, Span = TimeSpan.FromHours(1), Seed = 3 });
        var zones = GeneratedFiles.Read(directory.Path).Zones.Select(row => row[1]).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("Australia/Lord_Howe", zones);
        Assert.Contains("Asia/Kolkata", zones);
        Assert.Contains("Europe/London", zones);
    }

    [Fact]
    public void About_one_store_in_seven_has_no_hours_and_so_is_open_24x7()
    {
        var withHours = Files.Hours.Select(row => row[0]).Distinct(StringComparer.Ordinal).Count();
        Assert.InRange(MadeUpDataSet.StoreCount - withHours, MadeUpDataSet.StoreCount / 10, MadeUpDataSet.StoreCount / 5);
    }

    [Fact]
    public void Hours_rows_are_valid_days_and_times()
    {
        Assert.All(Files.Hours, row =>
        {
            Assert.InRange(int.Parse(row[1], System.Globalization.CultureInfo.InvariantCulture), 0, 6);
            Assert.Matches(@"^([01]\d|2[0-3]):[0-5]\d:[0-5]\d$", row[2]);
            Assert.Matches(@"^([01]\d|2[0-3]):[0-5]\d:[0-5]\d$", row[3]);
        });
    }

    [Fact]
    public void Hours_hold_one_to_three_intervals_a_day_some_past_midnight_and_some_all_day()
    {
        var perDay = Files.Hours.GroupBy(row => (row[0], row[1])).Select(day => day.Count()).ToList();
        Assert.Equal(1, perDay.Min());
        Assert.Equal(3, perDay.Max());
        Assert.Contains(perDay, count => count == 2);
        Assert.Contains(Files.Hours, row => string.CompareOrdinal(row[2], row[3]) > 0);
        Assert.Contains(Files.Hours, row => row is [_, _, "00:00:00", "00:00:00"]);
    }

    [Fact]
    public void Some_stores_open_on_some_weekdays_only()
    {
        var daysOpen = Files.Hours.GroupBy(row => row[0]).Select(store => store.Select(row => row[1]).Distinct().Count()).ToList();
        Assert.Contains(7, daysOpen);
        Assert.Contains(daysOpen, days => days < 7);
    }
}
