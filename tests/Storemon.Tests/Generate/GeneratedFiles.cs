using System.Globalization;
using System.Text.RegularExpressions;
using Storemon.Generate;

namespace Storemon.Tests.Generate;

/// <summary>A generated data set read back from its three files, the way a reader of the files sees it.</summary>
internal sealed partial class GeneratedFiles
{
    private GeneratedFiles(List<(string StoreId, DateTime Time, bool Active)> polls, List<string[]> hours, List<string[]> zones)
    {
        Polls = polls;
        Hours = hours;
        Zones = zones;
    }

    public List<(string StoreId, DateTime Time, bool Active)> Polls { get; }

    public List<string[]> Hours { get; }

    public List<string[]> Zones { get; }

    public ILookup<string, (string StoreId, DateTime Time, bool Active)> PollsByStore => Polls.ToLookup(p => p.StoreId, StringComparer.Ordinal);

    public static GeneratedFiles Read(string directory)
    {
        var polls = new List<(string, DateTime, bool)>();
        foreach (var fields in Rows(Path.Combine(directory, DataGenerator.StatusFileName), "store_id,status,timestamp_utc"))
        {
            Assert.True(fields is [_, "active" or "inactive", _], $"Bad status row: {string.Join(',', fields)}");
            polls.Add((fields[0], ParseTimestamp(fields[2]), fields[1] == "active"));
        }
        var hours = Rows(Path.Combine(directory, DataGenerator.HoursFileName), "store_id,dayOfWeek,start_time_local,end_time_local").ToList();
        var zones = Rows(Path.Combine(directory, DataGenerator.TimeZonesFileName), "store_id,timezone_str").ToList();
        return new GeneratedFiles(polls, hours, zones);
    }

    /// <summary>Parses the public file's timestamp format, failing on anything else.</summary>
    public static DateTime ParseTimestamp(string text)
    {
        Assert.Matches(TimestampPattern(), text);
        return DateTime.ParseExact(text, "yyyy-MM-dd HH:mm:ss.FFFFFF 'UTC'", CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
    }

    // Fractions of 1 to 6 digits without trailing zeros, or none: as the public file writes them.
    [GeneratedRegex(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{0,5}[1-9])? UTC$")]
    private static partial Regex TimestampPattern();

    private static IEnumerable<string[]> Rows(string path, string header)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.False(bytes is [0xEF, 0xBB, 0xBF, ..], $"{path} starts with a byte-order mark.");
        Assert.DoesNotContain((byte)'\r', bytes);
        var lines = File.ReadAllLines(path);
        Assert.Equal(header, lines[0]);
        return lines.Skip(1).Select(line => line.Split(','));
    }
}
