using Storemon.Generate;

namespace Storemon.Tests.Generate;

public sealed class InputStoresTests
{
    private static readonly string HoursFile = SharedData.PathOf("v2_menu_hours.csv");
    private static readonly string TimeZonesFile = SharedData.PathOf("v2_timezones.csv");

    [Fact]
    public void The_stores_are_the_union_of_the_ids_in_the_hours_and_time_zone_files()
    {
        var expected = FirstColumn(HoursFile).Union(FirstColumn(TimeZonesFile), StringComparer.Ordinal).ToHashSet(StringComparer.Ordinal);

        var dataSet = SyntheticDataSet.Create(Options("unused"));

        Assert.Equal(expected.Count, dataSet.StoreIds.Count);
        Assert.True(expected.SetEquals(dataSet.StoreIds));
        // The public v2 files: 94 stores with a zone but no hours, 1 with hours but no zone.
        Assert.Equal(4_560, dataSet.StoreIds.Count);
    }

    [Fact]
    public void The_written_hours_and_zones_carry_the_input_rows()
    {
        using var directory = new TempDirectory();
        var summary = DataGenerator.Generate(Options(directory.Path));
        var files = GeneratedFiles.Read(directory.Path);

        Assert.Equal(Rows(HoursFile), files.Hours.Select(row => string.Join(',', row)));
        Assert.Equal(Rows(TimeZonesFile), files.Zones.Select(row => string.Join(',', row)));
        Assert.Equal(35_457, summary.HoursRows);
        Assert.Equal(4_559, summary.TimeZoneRows);
        Assert.Subset(FirstColumn(HoursFile).Concat(FirstColumn(TimeZonesFile)).ToHashSet(StringComparer.Ordinal), files.PollsByStore.Select(s => s.Key).ToHashSet(StringComparer.Ordinal));
    }

    [Fact]
    public void A_scale_factor_copies_every_store_with_its_hours_and_zone()
    {
        using var directory = new TempDirectory();
        var summary = DataGenerator.Generate(Options(directory.Path) with { ScaleFactor = 3 });
        var files = GeneratedFiles.Read(directory.Path);

        Assert.Equal(3 * 4_560, summary.Stores);
        Assert.Equal(3 * 35_457, files.Hours.Count);
        Assert.Equal(3 * 4_559, files.Zones.Count);
        var zones = files.Zones.ToDictionary(row => row[0], row => row[1], StringComparer.Ordinal);
        var hours = files.Hours.ToLookup(row => row[0], row => string.Join(',', row.Skip(1)), StringComparer.Ordinal);
        foreach (var (id, zone) in zones.Where(z => z.Key.Length == 36).ToList())
        {
            Assert.Equal(zone, zones[id + "-2"]);
            Assert.Equal(zone, zones[id + "-3"]);
            Assert.Equal(hours[id], hours[id + "-2"]);
            Assert.Equal(hours[id], hours[id + "-3"]);
        }
        Assert.Contains(files.PollsByStore, store => store.Key.EndsWith("-3", StringComparison.Ordinal));
        Assert.InRange(files.Polls.Count, 2.5 * PollsAtScaleOne(), 3.5 * PollsAtScaleOne());
    }

    [Fact]
    public void A_time_zone_file_alone_is_enough()
    {
        var dataSet = SyntheticDataSet.Create(Options("unused") with { HoursFile = null });
        Assert.Equal(4_559, dataSet.StoreIds.Count);
        Assert.Equal(0, dataSet.HoursRowCount);
    }

    [Fact]
    public void A_byte_order_mark_and_another_column_order_are_read()
    {
        using var directory = new TempDirectory();
        var zones = directory.File("zones.csv");
        File.WriteAllText(zones, "timezone_str,store_id\nAsia/Kolkata,a\nEurope/London,b\n", new System.Text.UTF8Encoding(true));

        var dataSet = SyntheticDataSet.Create(new GeneratorOptions { OutputDirectory = directory.Path, TimeZonesFile = zones });

        Assert.Equal(["a", "b"], dataSet.StoreIds);
    }

    [Fact]
    public void A_file_without_a_store_id_column_is_refused_by_name()
    {
        var error = RefusalOf("hours.csv", "id,day,start_time_local,end_time_local\n1,0,09:00,17:00\n", path => new() { HoursFile = path });

        Assert.Contains("hours.csv", error.Message, StringComparison.Ordinal);
        Assert.Contains("store_id", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Input_files_that_name_no_store_are_refused()
    {
        var error = RefusalOf("zones.csv", "store_id,timezone_str\n", path => new() { TimeZonesFile = path });

        Assert.Contains("zones.csv name no store", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_input_file_is_refused_before_anything_is_written()
    {
        using var directory = new TempDirectory();
        var options = Options(directory.Path) with { HoursFile = directory.File("nope.csv") };

        Assert.Throws<ArgumentException>(() => DataGenerator.Generate(options));
        Assert.Empty(Directory.GetFiles(directory.Path));
    }

    /// <summary>The error of reading stores from one input file holding <paramref name="content"/>.</summary>
    private static InvalidDataException RefusalOf(string fileName, string content, Func<string, GeneratorOptions> options)
    {
        using var directory = new TempDirectory();
        var path = directory.File(fileName);
        File.WriteAllText(path, content);
        return Assert.Throws<InvalidDataException>(() => SyntheticDataSet.Create(options(path) with { OutputDirectory = directory.Path }));
    }

    private static long PollsAtScaleOne() => SyntheticDataSet.Create(Options("unused")).Polls().LongCount();

    // Only a day of polls: these tests are about the stores.
    private static GeneratorOptions Options(string directory) => new()
    {
        OutputDirectory = directory,
        HoursFile = HoursFile,
        TimeZonesFile = TimeZonesFile,
        Span = TimeSpan.FromDays(1),
        Seed = 3,
    };

    private static IEnumerable<string> Rows(string path) => File.ReadLines(path).Skip(1);

    private static IEnumerable<string> FirstColumn(string path) => Rows(path).Select(line => line.Split(',')[0]);
}
