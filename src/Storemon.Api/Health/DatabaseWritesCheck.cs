using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using NodaTime;
using Storemon.Api.Storage;
using Storemon.Storage;

namespace Storemon.Api.Health;

/// <summary>
/// The part <c>database-writes</c>: a real write commits (the probe, at most once per
/// <see cref="HealthOptions.CacheFor"/>), and no report run or import is failing because of the database
/// (<see cref="WriteOutcomes"/>: a full disk can let the probe's few bytes through and fail every real
/// write). Damaged data is the part <c>database</c>'s to report.
/// </summary>
internal sealed partial class DatabaseWritesCheck : IHealthCheck
{
    public const string Name = "database-writes";

    private readonly WriteOutcomes _outcomes;
    private readonly IOptions<DatabaseOptions> _database;
    private readonly ILogger<DatabaseWritesCheck> _logger;
    private readonly Cached<Probe> _probe;
    private volatile bool _failing;

    public DatabaseWritesCheck(IMonitoringStore store, WriteOutcomes outcomes, IClock clock, TimeProvider time, IOptions<HealthOptions> options,
        IOptions<DatabaseOptions> database, ILogger<DatabaseWritesCheck> logger)
    {
        _outcomes = outcomes;
        _database = database;
        _logger = logger;
        _probe = new Cached<Probe>(time, options.Value.CacheFor, () => Write(store, clock.GetCurrentInstant()));
    }

    /// <summary>The probe's outcome: when it wrote, and what it threw.</summary>
    private sealed record Probe(Instant At, Exception? Error);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var database = HealthParts.Database(_database);
        var probe = _probe.Value;
        var problems = new List<string>();
        if (probe.Error is { } error)
        {
            if (!_failing)
            {
                _failing = true;
                LogProbeFailed(_logger, error);
            }
            problems.Add($"A test write to {Lower(database)} failed at {HealthParts.At(probe.At)}: {HealthParts.Cause(error) ?? "the service log says why"}.");
        }
        else
        {
            _failing = false;
            _outcomes.DatabaseWritten(probe.At);
        }
        problems.AddRange(_outcomes.Failing.Where(failure => failure.Kind != WriteKind.JobQueue).Select(Describe));
        return Task.FromResult(problems.Count == 0
            ? HealthCheckResult.Healthy($"{database} takes writes: a test write committed at {HealthParts.At(probe.At)}, and no report run or import is failing.")
            : HealthCheckResult.Unhealthy(string.Join(" ", problems)));
    }

    private static Probe Write(IMonitoringStore store, Instant now)
    {
        try
        {
            store.ProbeWrite(now);
            return new Probe(now, null);
        }
        catch (Exception e)
        {
            return new Probe(now, e);
        }
    }

    private static string Describe(WriteFailure failure)
    {
        var (what, until) = failure.Kind == WriteKind.Import
            ? ("Imports fail", "an import writes rows")
            : ("Report runs fail", "a report run completes");
        if (failure.Fault == StorageFault.Unavailable)
        {
            until = $"the database takes a write again or {until}";
        }
        else if (failure.Fault == StorageFault.DiskFull)
        {
            until = FormattableString.Invariant($"{until}, or when the database takes writes for {WriteOutcomes.DiskFullQuiet.TotalMinutes:0} minutes without another such failure");
        }
        return $"{what} {HealthParts.Since(failure)}: the database failed them because {HealthParts.Fault(failure.Fault)}. This clears when {until}.";
    }

    private static string Lower(string database) => string.Concat(database[..1].ToLowerInvariant(), database[1..]);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Health: the test write to the database failed")]
    private static partial void LogProbeFailed(ILogger logger, Exception error);
}
