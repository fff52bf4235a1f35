using NodaTime;

namespace Storemon.Storage;

/// <summary>The service's writes whose outcome the health check remembers.</summary>
public enum WriteKind
{
    /// <summary>A report's run: its claim, heartbeat and result (and its trigger's record).</summary>
    ReportRun,

    /// <summary>An import of polls, hours or time zones (an upload or <c>/polls</c>).</summary>
    Import,

    /// <summary>A report put in the job queue, which has storage of its own (on SQLite, a file beside the database).</summary>
    JobQueue,
}

/// <summary>Why the database failed a write, when it is the database's fault rather than the data's or the service's.</summary>
public enum StorageFault
{
    /// <summary>Its disk is full (<see cref="Storage.DiskFull.OfDatabase"/>).</summary>
    DiskFull,

    /// <summary>It does not answer (<see cref="DatabaseUnavailable"/>).</summary>
    Unavailable,

    /// <summary>Its data is damaged (<see cref="DatabaseCorrupt"/>).</summary>
    Corrupt,
}

/// <summary>Writes of <see cref="Kind"/> failing for <see cref="Fault"/>, first at <see cref="Since"/>, last at <see cref="Latest"/>.</summary>
public sealed record WriteFailure(WriteKind Kind, StorageFault Fault, Instant Since, Instant Latest);

/// <summary>
/// The outcome of the service's real writes, for the health check: a tiny probe write can still commit
/// on a full disk (SQLite reuses its write-ahead log and free pages), where a report's CSV or an import
/// does not. A write of a kind that failed because of the database stays a failure until a later write
/// of the same kind succeeds; one that failed because the database did not answer, also until the
/// database takes a write again (<see cref="DatabaseWritten"/>); damage found in the data, for as long
/// as this process lives, since nothing but a repair ends it. Errors of the data or of the service are
/// not the database's health and are not kept. Thread-safe; in memory, one per process.
/// </summary>
public sealed class WriteOutcomes(IClock clock)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<WriteKind, WriteFailure> _failures = [];
    private WriteFailure? _corruption;

    /// <summary>The database's fault in <paramref name="error"/>, or null when it is not the database's.</summary>
    public static StorageFault? FaultOf(Exception error) =>
        DatabaseCorrupt.IsCause(error) ? StorageFault.Corrupt
        : DiskFull.OfDatabase(error) ? StorageFault.DiskFull
        : DatabaseUnavailable.IsCause(error) ? StorageFault.Unavailable
        : null;

    /// <summary>The first damage found in the data since this process started, or null.</summary>
    public WriteFailure? Corruption
    {
        get
        {
            lock (_lock)
            {
                return _corruption;
            }
        }
    }

    /// <summary>The kinds of write failing now (not for damage: <see cref="Corruption"/>), in the order of <see cref="WriteKind"/>.</summary>
    public IReadOnlyList<WriteFailure> Failing
    {
        get
        {
            lock (_lock)
            {
                return [.. _failures.Values.OrderBy(failure => failure.Kind)];
            }
        }
    }

    /// <summary>A write of <paramref name="kind"/> threw <paramref name="error"/>: kept when it is the database's fault.</summary>
    public void Failed(WriteKind kind, Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (FaultOf(error) is { } fault)
        {
            Failed(kind, fault);
        }
    }

    /// <summary>
    /// A write of <paramref name="kind"/> failed for <paramref name="fault"/>, as its caller tells it (the job
    /// queue's own storage speaks in its driver's words). Damage to the job queue is its failure, not the database's.
    /// </summary>
    public void Failed(WriteKind kind, StorageFault fault)
    {
        var now = clock.GetCurrentInstant();
        lock (_lock)
        {
            if (fault == StorageFault.Corrupt && kind != WriteKind.JobQueue)
            {
                _corruption ??= new WriteFailure(kind, fault, now, now);
            }
            else
            {
                _failures[kind] = _failures.TryGetValue(kind, out var failing) && failing.Fault == fault
                    ? failing with { Latest = now }
                    : new WriteFailure(kind, fault, now, now);
            }
        }
    }

    /// <summary>A write of <paramref name="kind"/> committed: the earlier failure of that kind is over.</summary>
    public void Succeeded(WriteKind kind)
    {
        lock (_lock)
        {
            _failures.Remove(kind);
        }
    }

    /// <summary>
    /// How long after its last failure a full disk is taken as over while the database takes the probe's
    /// writes: a node that a load balancer took out of rotation gets no real write to prove it, and would
    /// otherwise stay Unhealthy after space was freed. If the disk is still full, the next real write says so again.
    /// </summary>
    public static readonly Duration DiskFullQuiet = Duration.FromMinutes(5);

    /// <summary>
    /// The database committed a write at <paramref name="at"/> (the health check's probe): failures recorded
    /// before then because it did not answer are over. A full disk is over only once it failed nothing for
    /// <see cref="DiskFullQuiet"/>: the probe's write is too small to tell by itself.
    /// </summary>
    public void DatabaseWritten(Instant at)
    {
        lock (_lock)
        {
            foreach (var (kind, failure) in _failures.ToArray())
            {
                if ((failure.Fault == StorageFault.Unavailable && failure.Latest <= at)
                    || (failure.Fault == StorageFault.DiskFull && at - failure.Latest >= DiskFullQuiet))
                {
                    _failures.Remove(kind);
                }
            }
        }
    }
}
