namespace Storemon.Engine;

/// <summary>One observation of a store: at <see cref="UnixTicks"/> (100 ns since the Unix epoch, UTC) it was active or not.</summary>
/// <remarks>
/// The engine counts time in ticks rather than in the microseconds the database keeps, so that the
/// midpoint of two polls (half their sum) is always a whole number: no rounding ever enters a sum.
/// </remarks>
public readonly record struct Poll(long UnixTicks, bool Active)
{
    public const long TicksPerMicrosecond = 10;

    public static Poll FromMicroseconds(long unixMicroseconds, bool active) =>
        new(unixMicroseconds * TicksPerMicrosecond, active);
}

/// <summary>How a status is spread over the time between polls.</summary>
public enum Interpolation
{
    /// <summary>Every instant takes the status of the nearest poll; an exact tie goes to the later poll.</summary>
    Nearest,

    /// <summary>A status holds from its poll until the next poll.</summary>
    CarryForward,
}
