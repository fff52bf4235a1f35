using NodaTime;
using NodaTime.TimeZones;

namespace Storemon.Engine;

/// <summary>
/// Turns a store's local wall-clock times into instants, by the tz database rules of its zone.
/// </summary>
/// <remarks>
/// Two local times need a rule because they are not one instant each:
/// <list type="bullet">
/// <item>A time in a spring-forward gap (02:30 on a night when clocks jump from 02:00 to 03:00) never
/// happens on the wall clock. The store opens when the clock jumps past it: the instant the gap ends
/// (03:00 local time).</item>
/// <item>A time in a fall-back overlap (01:30 on a night when clocks go from 02:00 back to 01:00)
/// happens twice. The earlier of the two instants counts.</item>
/// </list>
/// Both rules are monotonic: a later local time never maps to an earlier instant, so an interval
/// never turns inside out; it only gets longer or shorter by the shift.
///
/// Most zones have no transition in a given week. The clock checks that once, for the range a report
/// needs, and then converts by plain subtraction of the offset, which is what makes a report over
/// thousands of stores cheap.
/// </remarks>
public sealed class StoreClock
{
    private static readonly ZoneLocalMappingResolver SpecResolver =
        Resolvers.CreateMappingResolver(Resolvers.ReturnEarlier, Resolvers.ReturnStartOfIntervalAfter);

    private readonly DateTimeZone _zone;
    private readonly long? _fixedOffsetTicks;
    private readonly Interval _fastRange;

    /// <param name="zone">The store's time zone.</param>
    /// <param name="range">The instants this clock will be asked about; outside it the clock is still right, only slower.</param>
    public StoreClock(DateTimeZone zone, Interval range)
    {
        _zone = zone;
        // A local time near an edge of the range can map to an instant up to a day outside it (no offset
        // changes by more than that), so clock changes are looked for a day beyond the range on each side.
        var checkedRange = new Interval(range.Start - Duration.FromDays(1), range.End + Duration.FromDays(1));
        using var intervals = zone.GetZoneIntervals(checkedRange).GetEnumerator();
        if (intervals.MoveNext())
        {
            var first = intervals.Current;
            if (!intervals.MoveNext())
            {
                _fixedOffsetTicks = first.WallOffset.Ticks;
            }
        }
        _fastRange = range;
    }

    /// <summary>The local calendar date at an instant.</summary>
    public LocalDate DateAt(Instant instant) => instant.InZone(_zone).Date;

    /// <summary>The instant of a local wall-clock time, as Unix ticks, resolved by the rules above.</summary>
    public long ToUnixTicks(LocalDateTime local)
    {
        if (_fixedOffsetTicks is { } offset)
        {
            var utcTicks = LocalTicks(local) - offset;
            if (utcTicks >= _fastRange.Start.ToUnixTimeTicks() && utcTicks < _fastRange.End.ToUnixTimeTicks())
            {
                return utcTicks;
            }
        }
        return local.InZone(_zone, SpecResolver).ToInstant().ToUnixTimeTicks();
    }

    private static long LocalTicks(LocalDateTime local) =>
        local.InUtc().ToInstant().ToUnixTimeTicks();
}
