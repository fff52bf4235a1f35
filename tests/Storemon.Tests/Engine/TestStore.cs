using System.Globalization;
using System.Runtime.InteropServices;
using NodaTime;
using NodaTime.Text;
using Storemon.Engine;

namespace Storemon.Tests.Engine;

/// <summary>
/// One store's business hours and polls, written the way the SPEC writes them (weekday numbers, local
/// "HH:mm" times), and measured by the engine exactly as a report measures it.
/// </summary>
internal sealed class TestStore(string zone = "Etc/UTC")
{
    private static readonly LocalDateTimePattern LocalPattern = LocalDateTimePattern.CreateWithInvariantCulture("uuuu-MM-dd HH:mm");
    private static readonly InstantPattern UtcPattern = InstantPattern.CreateWithInvariantCulture("uuuu-MM-dd HH:mm");

    private readonly List<BusinessHours> _hours = [];
    private readonly List<Poll> _polls = [];

    public DateTimeZone Zone { get; } = DateTimeZoneProviders.Tzdb[zone];

    /// <summary>Adds a business-hours row: <paramref name="specDay"/> 0 = Monday … 6 = Sunday, times "HH:mm", "24:00" allowed as an end.</summary>
    public TestStore Open(int specDay, string start, string end)
    {
        _hours.Add(BusinessHours.FromSpecDay(specDay, TimeOfDay(start), TimeOfDay(end)));
        return this;
    }

    /// <summary>Adds a poll at an unambiguous local wall-clock time of the store, "yyyy-MM-dd HH:mm".</summary>
    public TestStore Poll(string localTime, bool active) => PollAt(Local(localTime), active);

    public TestStore PollAt(Instant at, bool active)
    {
        _polls.Add(new Poll(at.ToUnixTimeTicks(), active));
        return this;
    }

    /// <summary>The instant of an unambiguous local wall-clock time of the store.</summary>
    public Instant Local(string localTime) =>
        LocalPattern.Parse(localTime).Value.InZoneStrictly(Zone).ToInstant();

    /// <summary>The store's business time within the week that ends at <paramref name="asOf"/>.</summary>
    public IReadOnlyList<(Instant Start, Instant End)> OpenIntervals(Instant asOf) =>
        [.. OpenTicks(new ReportWindow(asOf)).Select(i => (Instant.FromUnixTimeTicks(i.Start), Instant.FromUnixTimeTicks(i.End)))];

    /// <summary>
    /// Measures the store at <paramref name="asOf"/>, handing the calculator the polls a report reads:
    /// those up to the report time, in order.
    /// </summary>
    public Measured Measure(Instant asOf, Interpolation interpolation = Interpolation.Nearest, Duration? maxGap = null)
    {
        var window = new ReportWindow(asOf);
        var open = OpenTicks(window);
        Poll[] polls = [.. _polls.Where(p => p.UnixTicks <= window.EndTicks).OrderBy(p => p.UnixTicks)];
        return Measured.From(UptimeCalculator.Measure(CollectionsMarshal.AsSpan(open), polls, window, interpolation, maxGap?.BclCompatibleTicks));
    }

    /// <summary>The store's timeline at <paramref name="asOf"/>: its business time by status, as the engine attributes it.</summary>
    public IReadOnlyList<(Instant Start, Instant End, SegmentStatus Status)> Timeline(
        Instant asOf, Interpolation interpolation = Interpolation.Nearest, Duration? maxGap = null)
    {
        var window = new ReportWindow(asOf);
        Poll[] polls = [.. _polls.Where(p => p.UnixTicks <= window.EndTicks).OrderBy(p => p.UnixTicks)];
        var segments = new List<TimelineSegment>();
        UptimeCalculator.Timeline(CollectionsMarshal.AsSpan(OpenTicks(window)), polls, window, interpolation, maxGap?.BclCompatibleTicks, segments);
        return [.. segments.Select(s => (Instant.FromUnixTimeTicks(s.StartTicks), Instant.FromUnixTimeTicks(s.EndTicks), s.Status))];
    }

    /// <summary>A UTC instant written "yyyy-MM-dd HH:mm".</summary>
    public static Instant Utc(string text) => UtcPattern.Parse(text).Value;

    /// <summary>"HH:mm" as time since local midnight; "24:00" is the following midnight.</summary>
    public static Duration TimeOfDay(string text)
    {
        var parts = text.Split(':');
        return Duration.FromHours(int.Parse(parts[0], CultureInfo.InvariantCulture))
            + Duration.FromMinutes(int.Parse(parts[1], CultureInfo.InvariantCulture));
    }

    private List<(long Start, long End)> OpenTicks(ReportWindow window)
    {
        var open = new List<(long Start, long End)>();
        BusinessCalendar.OpenIntervals([.. _hours], new StoreClock(Zone, window.ClockRange), window, open);
        return open;
    }
}

/// <summary>The SPEC's weekday numbers, for business-hours rows.</summary>
internal static class SpecDay
{
    public const int Monday = 0, Tuesday = 1, Wednesday = 2, Thursday = 3, Friday = 4, Saturday = 5, Sunday = 6;
}

/// <summary>
/// A <see cref="StoreUptime"/> as durations, so that a failing assertion prints 01:44:30 rather than
/// 62700000000 ticks. A tick of the engine is a tick of <see cref="TimeSpan"/>, so nothing is rounded.
/// </summary>
internal readonly record struct Measured(
    TimeSpan UpHour = default, TimeSpan UpDay = default, TimeSpan UpWeek = default,
    TimeSpan DownHour = default, TimeSpan DownDay = default, TimeSpan DownWeek = default,
    TimeSpan UnknownHour = default, TimeSpan UnknownDay = default, TimeSpan UnknownWeek = default)
{
    public static Measured From(StoreUptime uptime) => new(
        TimeSpan.FromTicks(uptime.UptimeLastHour), TimeSpan.FromTicks(uptime.UptimeLastDay), TimeSpan.FromTicks(uptime.UptimeLastWeek),
        TimeSpan.FromTicks(uptime.DowntimeLastHour), TimeSpan.FromTicks(uptime.DowntimeLastDay), TimeSpan.FromTicks(uptime.DowntimeLastWeek),
        TimeSpan.FromTicks(uptime.UnknownLastHour), TimeSpan.FromTicks(uptime.UnknownLastDay), TimeSpan.FromTicks(uptime.UnknownLastWeek));
}
