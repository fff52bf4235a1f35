using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NodaTime;
using Storemon.Engine;
using Storemon.Storage;

namespace Storemon.Reports;

/// <summary>How report jobs behave: when a running report counts as abandoned.</summary>
public sealed class ReportJobOptions
{
    /// <summary>A Running report without a heartbeat for this long is taken to have lost its runner and is run again.</summary>
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Store shards a report is split into (1: one piece). Needs a store that can share a snapshot.</summary>
    public int Shards { get; set; } = 1;
}

/// <summary>Asks other workers to help with a report's shards (a job per helper, in the job engine).</summary>
public interface IShardDispatch
{
    void RequestHelpers(string reportId, int helpers);
}

/// <summary>
/// A report's life outside the engine: it is recorded Pending when triggered, claimed (Running) by one
/// runner, its progress is its heartbeat, and it ends Complete with its CSV or Failed with the reason.
/// A job engine calls <see cref="Execute"/> at least once per report; running it again is harmless.
/// </summary>
public sealed partial class ReportJobs(
    IMonitoringStore store, IReportStore reports, IClock clock, ReportJobOptions options, IShardDispatch? dispatch = null,
    ILogger<ReportJobs>? logger = null)
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    // Names this process in the logs of shards, which several processes (on several machines) compute.
    private static readonly string Worker = $"{Environment.MachineName}/{Environment.ProcessId}";

    private readonly ILogger log = logger ?? NullLogger<ReportJobs>.Instance;

    /// <summary>Records a new Pending report and returns it. Its id is 128 random bits, so it cannot be guessed.</summary>
    public ReportRecord Create(ReportRequest request)
    {
        // Instants are stored in microseconds: the record says now what it will say when read back.
        var now = Instant.FromUnixTimeTicks(clock.GetCurrentInstant().ToUnixTimeTicks() / Poll.TicksPerMicrosecond * Poll.TicksPerMicrosecond);
        var report = new ReportRecord(NewId(), ReportStatus.Pending, request.AsOf, request.Interpolation, now);
        reports.CreateReport(report);
        return report;
    }

    /// <summary>
    /// Runs the report if nobody else is: Complete with its CSV, or Failed with the reason. A cancelled
    /// run (the process shutting down) leaves the report Running, to be run again by whoever finds it stale.
    /// </summary>
    public void Execute(string reportId, CancellationToken cancellationToken)
    {
        var now = clock.GetCurrentInstant();
        // The record as claimed: its attempt is this run's.
        if (reports.TryStartReport(reportId, now, now - Duration.FromTimeSpan(options.StaleAfter)) is not { } report)
        {
            return; // finished, failed, or being run elsewhere
        }
        try
        {
            if (options.Shards > 1 && reports is IReportShardStore shards)
            {
                ExecuteSharded(report, shards, cancellationToken);
            }
            else
            {
                using var snapshot = store.OpenSnapshot();
                RunWhole(report, snapshot, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (RunSupersededException)
        {
            LogSuperseded(report.Id, report.Attempts, Worker);
        }
        catch (Exception e)
        {
            // Never a silently partial CSV: the report fails whole, with the reason.
            reports.FailReport(reportId, report.Attempts, Reason(e), clock.GetCurrentInstant());
        }
    }

    private static string Reason(Exception e) => $"{e.GetType().Name}: {e.Message}";

    /// <summary>The CSV that <paramref name="write"/> writes, in memory (UTF-8 without a byte-order mark), and what it returned.</summary>
    private static (MemoryStream Csv, ReportSummary Summary) InMemory(Func<TextWriter, ReportSummary> write)
    {
        var csv = new MemoryStream();
        using (var writer = new StreamWriter(csv, Utf8, 1 << 16, leaveOpen: true))
        {
            return (csv, write(writer));
        }
    }

    private static ReadOnlySpan<byte> Bytes(MemoryStream csv) => csv.GetBuffer().AsSpan(0, (int)csv.Length);

    /// <summary>Computes the report in one piece from <paramref name="snapshot"/> and stores it Complete.</summary>
    private void RunWhole(ReportRecord report, IReportSnapshot snapshot, CancellationToken cancellationToken)
    {
        var started = clock.GetCurrentInstant();
        var (csv, summary) = InMemory(writer => ReportRunner.Run(
            snapshot, new ReportRequest(report.RequestedAsOf, report.Interpolation), writer,
            new Heartbeat(reports, report.Id, report.Attempts, clock), cancellationToken));
        using var _ = csv;
        var now = clock.GetCurrentInstant();
        if (!reports.CompleteReport(report.Id, report.Attempts, summary.AsOf, summary.Stores, Bytes(csv), now))
        {
            throw new RunSupersededException();
        }
        var took = now - started;
        LogComputedWhole(report.Id, summary.Stores, summary.PollRows, took.TotalSeconds, Worker);
    }

    /// <summary>Reports that need a run: every Pending one, and Running ones whose runner stopped beating.</summary>
    public IReadOnlyList<string> Abandoned() =>
        reports.StaleReports(clock.GetCurrentInstant() - Duration.FromTimeSpan(options.StaleAfter));

    private static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    [LoggerMessage(Level = LogLevel.Information, Message = "Report {ReportId} complete: {Stores} stores, {PollRows} polls in {Seconds:0.000} s, in one piece by {Worker}")]
    private partial void LogComputedWhole(string reportId, int stores, long pollRows, double seconds, string worker);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Report {ReportId}: attempt {Attempt} on {Worker} stopped, writing nothing: the report is no longer Running in it (taken for dead and claimed again, or failed by one of its shards)")]
    private partial void LogSuperseded(string reportId, int attempt, string worker);

    /// <summary>
    /// The report is no longer Running in this run's attempt: the runner was taken for dead (its heartbeat
    /// went stale) and the report claimed again, or it ended meanwhile. The run stops where it is.
    /// </summary>
    private sealed class RunSupersededException : Exception;

    private sealed class Heartbeat(IReportStore reports, string reportId, int attempt, IClock clock) : IProgress<ReportProgress>
    {
        public void Report(ReportProgress value)
        {
            if (!reports.ReportProgress(reportId, attempt, value.StoresDone, value.StoresTotal, clock.GetCurrentInstant()))
            {
                throw new RunSupersededException();
            }
        }
    }
}
