using CsCheck;
using NodaTime;
using Storemon.Engine;

namespace Storemon.Tests.Engine;

/// <summary>A poll of a random store, placed relative to the report time (negative: before it).</summary>
internal readonly record struct MinutePoll(int MinutesFromReportTime, bool Active)
{
    public Poll At(Instant reportTime) =>
        new((reportTime + Duration.FromMinutes(MinutesFromReportTime)).ToUnixTimeTicks(), Active);

    public override string ToString() => $"{MinutesFromReportTime}{(Active ? "+" : "-")}";
}

/// <summary>A random store: its zone, weekly rows (none: open 24×7) and polls.</summary>
internal sealed record RandomStore(string Zone, WeeklyRow[] Hours, MinutePoll[] Polls)
{
    public DateTimeZone TimeZone => DateTimeZoneProviders.Tzdb[Zone];

    public BusinessHours[] BusinessHours => [.. Hours.Select(r => r.ToBusinessHours())];

    public Poll[] PollsAt(Instant reportTime) => [.. Polls.Select(p => p.At(reportTime))];

    public override string ToString() =>
        $"{Zone}; hours [{string.Join(' ', Hours)}]; polls [{string.Join(' ', Polls)}]";
}

/// <summary>
/// Generators of awkward but legal stores: zones with daylight saving (Lord Howe's half hour, Santiago's
/// and Beirut's at midnight, Chatham's at 02:45), report times close to their transitions, rows that
/// cross midnight, last 24 hours or end at 24:00, and polls before the week and after the report time.
/// </summary>
internal static class RandomStores
{
    public static readonly string[] Zones =
    [
        "America/New_York", "America/Chicago", "Australia/Lord_Howe", "Europe/London",
        "Asia/Kolkata", "America/Santiago", "Asia/Beirut", "Pacific/Chatham",
    ];

    private static readonly Instant From = Instant.FromUtc(2023, 1, 1, 0, 0);
    private static readonly Instant To = Instant.FromUtc(2025, 1, 1, 0, 0);

    private static readonly Dictionary<string, Instant[]> Transitions = Zones.ToDictionary(
        zone => zone,
        zone => DateTimeZoneProviders.Tzdb[zone].GetZoneIntervals(From, To).Skip(1).Select(i => i.Start).ToArray(),
        StringComparer.Ordinal);

    public static readonly Gen<Interpolation> Interpolations = Gen.OneOf(Interpolation.Nearest, Interpolation.CarryForward);

    /// <summary>A report time on a whole minute of 2023–2024, three times in four within 8 days of one of the zone's transitions.</summary>
    public static Gen<Instant> ReportTimeNear(string zone)
    {
        var anywhere = Gen.Int[0, (int)(To - From).TotalMinutes].Select(m => From + Duration.FromMinutes(m));
        var transitions = Transitions[zone];
        if (transitions.Length == 0)
        {
            return anywhere;
        }
        var nearTransition = Gen.Select(Gen.Int[0, transitions.Length - 1], Gen.Int[-8 * 1440, 8 * 1440],
            (i, minutes) => transitions[i] + Duration.FromMinutes(minutes));
        return Gen.Frequency<Instant>((3, nearTransition), (1, anywhere));
    }

    // Minutes since local midnight, often in the early hours (where clocks change) and late evening (midnight transitions).
    private static readonly Gen<int> MinuteOfDay = Gen.Frequency<int>(
        (3, Gen.Int[0, 1439]),
        (2, Gen.Int[0, 300]),
        (1, Gen.Int[1380, 1439]),
        (1, Gen.Int[0, 23].Select(hour => hour * 60)));

    private static Gen<WeeklyRow[]> RowsOn(int day) =>
        Gen.Select(MinuteOfDay, MinuteOfDay, Gen.Int[0, 5], (start, end, kind) => kind switch
        {
            0 => new WeeklyRow(day, start, start),
            1 => new WeeklyRow(day, start, 1440),
            _ => new WeeklyRow(day, start, end),
        }).Array[0, 4];

    /// <summary>0–4 rows on each weekday; one store in six has no rows at all (open 24×7).</summary>
    public static readonly Gen<WeeklyRow[]> Hours = Gen.Frequency<WeeklyRow[]>(
        (1, Gen.Const(Array.Empty<WeeklyRow>())),
        (5, Gen.Select(RowsOn(0), RowsOn(1), RowsOn(2), RowsOn(3), RowsOn(4), RowsOn(5), RowsOn(6),
            (mon, tue, wed, thu, fri, sat, sun) => (WeeklyRow[])[.. mon, .. tue, .. wed, .. thu, .. fri, .. sat, .. sun])));

    /// <summary>
    /// 0–60 polls on distinct whole minutes from 9 days before the report time to a day after it (some
    /// before the week, some after the report time), some crowded into its last two hours.
    /// </summary>
    public static readonly Gen<MinutePoll[]> Polls =
        Gen.Select(
            Gen.Frequency<int>((4, Gen.Int[-9 * 1440, 1440]), (1, Gen.Int[-120, 60])),
            Gen.Bool,
            (minutes, active) => new MinutePoll(minutes, active))
        .Array[0, 60]
        .Select(polls => polls.DistinctBy(p => p.MinutesFromReportTime).ToArray());

    public static Gen<RandomStore> StoreIn(Gen<string> zone) =>
        Gen.Select(zone, Hours, Polls, (z, hours, polls) => new RandomStore(z, hours, polls));

    // No limit, a limit near the polls' spacing (where most boundaries fall inside business hours), or
    // any from a minute to the SPEC's most, seven days; whole minutes, as the naive reference needs.
    private static readonly Gen<Duration?> MaxGaps = Gen.OneOf(
        Gen.Const((Duration?)null),
        Gen.Int[1, 240].Select(minutes => (Duration?)Duration.FromMinutes(minutes)),
        Gen.Int[1, 7 * 24 * 60].Select(minutes => (Duration?)Duration.FromMinutes(minutes)));

    /// <summary>A random store with a report time near one of its zone's transitions, either interpolation, with or without a staleness limit.</summary>
    public static readonly Gen<EngineCase> Cases = Gen.OneOf(Zones).SelectMany(zone => Gen.Select(
        ReportTimeNear(zone), StoreIn(Gen.Const(zone)), Interpolations, MaxGaps,
        (asOf, store, interpolation, maxGap) => new EngineCase(asOf, store, interpolation, maxGap)));
}

/// <summary>What the engine is asked about one random store: at report time <see cref="AsOf"/>, how, with which limit.</summary>
internal sealed record EngineCase(Instant AsOf, RandomStore Store, Interpolation Interpolation, Duration? MaxGap)
{
    public ReportWindow Window => new(AsOf);

    public long? MaxGapTicks => MaxGap?.BclCompatibleTicks;

    /// <summary>The store's business intervals within the week, as a report computes them.</summary>
    public List<(long Start, long End)> OpenIntervals()
    {
        var open = new List<(long Start, long End)>();
        BusinessCalendar.OpenIntervals(Store.BusinessHours, new StoreClock(Store.TimeZone, Window.ClockRange), Window, open);
        return open;
    }

    /// <summary>What a report hands the calculator: the latest poll before the week, if any, then the week's polls up to T.</summary>
    public Poll[] PollsAReportReads()
    {
        var window = Window;
        var sorted = Store.PollsAt(AsOf).Where(p => p.UnixTicks <= window.EndTicks).OrderBy(p => p.UnixTicks).ToArray();
        var firstInWeek = Array.FindIndex(sorted, p => p.UnixTicks >= window.WeekStartTicks);
        var from = firstInWeek < 0 ? sorted.Length - 1 : firstInWeek - 1;
        return sorted[Math.Max(from, 0)..];
    }
}
