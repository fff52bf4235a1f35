using System.Globalization;

namespace Storemon.Generate;

/// <summary>
/// Makes up stores that look like the public data sets: UUID ids, mostly US zones, hours of
/// restaurants (one long shift, lunch and dinner, breakfast too, late nights past midnight, all day),
/// plus the cases a report has to get right: stores open 24×7 (no hours rows), stores closed on some
/// weekdays, stores without a zone row, and zones with odd offsets (Kolkata +5:30, Lord Howe's
/// half-hour daylight saving).
/// </summary>
internal static class RandomStores
{
    /// <summary>Zones and how many stores of 1000 get each; the US shares follow the public 2023 data.</summary>
    private static readonly (string Zone, int Weight)[] Zones =
    [
        ("America/New_York", 430), ("America/Los_Angeles", 190), ("America/Chicago", 170),
        ("America/Phoenix", 40), ("America/Denver", 40), ("America/Detroit", 20),
        ("America/Indiana/Indianapolis", 15), ("America/Boise", 10), ("America/Anchorage", 10),
        ("Pacific/Honolulu", 10), ("America/Puerto_Rico", 5), ("America/Toronto", 10),
        ("America/Edmonton", 5), ("Europe/London", 15), ("Asia/Kolkata", 10),
        ("Australia/Lord_Howe", 5), ("Asia/Beirut", 5), ("Australia/Sydney", 10),
    ];

    private static readonly int TotalZoneWeight = Zones.Sum(z => z.Weight);

    public static StoreCatalog Create(int count, Random random)
    {
        var catalog = new StoreCatalog();
        Span<byte> bytes = stackalloc byte[16];
        for (var i = 0; i < count; i++)
        {
            random.NextBytes(bytes);
            var store = catalog.IndexOf(UuidFrom(bytes));
            // A few stores have hours but no zone row: the SPEC puts them in America/Chicago.
            if (random.NextDouble() >= 0.005)
            {
                catalog.Zones.Add(new ZoneEntry(store, PickZone(random)));
            }
            // About one store in seven has no hours rows at all: open 24×7.
            if (random.NextDouble() >= 0.15)
            {
                AddHours(catalog.Hours, store, random);
            }
        }
        return catalog;
    }

    // A version-4 UUID from the seeded generator (Guid.NewGuid would not be reproducible).
    private static string UuidFrom(Span<byte> bytes)
    {
        bytes[7] = (byte)(0x40 | (bytes[7] & 0x0F));
        bytes[8] = (byte)(0x80 | (bytes[8] & 0x3F));
        return new Guid(bytes).ToString("D", CultureInfo.InvariantCulture);
    }

    private static string PickZone(Random random)
    {
        var ticket = random.Next(TotalZoneWeight);
        foreach (var (zone, weight) in Zones)
        {
            if (ticket < weight)
            {
                return zone;
            }
            ticket -= weight;
        }
        throw new InvalidOperationException("The zone weights do not add up.");
    }

    private static void AddHours(List<HoursEntry> hours, int store, Random random)
    {
        var openDays = OpenDays(random);
        var shape = random.NextDouble();
        var minutes = new List<(int Start, int End)>(3);
        for (var day = 0; day < 7; day++)
        {
            if ((openDays & (1 << day)) == 0)
            {
                continue;
            }
            minutes.Clear();
            // Friday and Saturday nights often close an hour later.
            var late = day is 4 or 5 && random.NextDouble() < 0.3 ? 60 : 0;
            if (shape < 0.45)
            {
                // One long shift; the latest close at 23:59:59, as in the public data.
                minutes.Add((Minute(random, 6 * 60, 11 * 60 + 30), Minute(random, 20 * 60, 24 * 60) + late));
            }
            else if (shape < 0.70)
            {
                minutes.Add((Minute(random, 10 * 60 + 30, 11 * 60 + 30), Minute(random, 14 * 60, 15 * 60)));
                minutes.Add((Minute(random, 16 * 60 + 30, 17 * 60 + 30), Minute(random, 21 * 60, 22 * 60) + late));
            }
            else if (shape < 0.78)
            {
                minutes.Add((Minute(random, 6 * 60, 7 * 60 + 30), Minute(random, 9 * 60 + 30, 10 * 60 + 30)));
                minutes.Add((Minute(random, 11 * 60, 11 * 60 + 30), Minute(random, 14 * 60, 15 * 60)));
                minutes.Add((Minute(random, 17 * 60, 18 * 60), Minute(random, 21 * 60, 22 * 60) + late));
            }
            else if (shape < 0.93)
            {
                // Late nights: 18:00–02:00 crosses midnight (the end is before the start).
                minutes.Add((Minute(random, 17 * 60, 20 * 60), Minute(random, 60, 3 * 60) + late));
            }
            else
            {
                // Start equal to end: open for 24 hours from midnight.
                minutes.Add((0, 0));
            }
            foreach (var (start, end) in minutes)
            {
                hours.Add(new HoursEntry(store, DayNames[day], TimeOfDay(start), TimeOfDay(end)));
            }
        }
    }

    private static readonly string[] DayNames = ["0", "1", "2", "3", "4", "5", "6"];

    /// <summary>The weekdays a store opens, as bits (bit 0 = Monday, as the SPEC numbers days).</summary>
    private static int OpenDays(Random random)
    {
        const int everyDay = 0b111_1111;
        var pick = random.NextDouble();
        return pick switch
        {
            < 0.70 => everyDay,
            < 0.82 => everyDay & ~(1 << random.Next(7)),
            < 0.88 => 0b001_1111,
            < 0.94 => 0b111_1110,
            _ => random.Next(1, everyDay),
        };
    }

    /// <summary>A minute of the day between two bounds, on a quarter hour.</summary>
    private static int Minute(Random random, int from, int to) => from + (random.Next((to - from) / 15 + 1) * 15);

    // Only a close can reach midnight; it is written 23:59:59, as the public data writes it.
    private static string TimeOfDay(int minute) =>
        minute >= 24 * 60 ? "23:59:59" : string.Create(CultureInfo.InvariantCulture, $"{minute / 60:00}:{minute % 60:00}:00");
}
