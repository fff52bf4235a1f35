using System.Diagnostics;
using System.Text;
using Storemon.Generate;
using Storemon.Reports;
using Storemon.Tests.Api;
using Storemon.Tests.Databases;

namespace Storemon.Tests.Workers;

/// <summary>
/// A PostgreSQL database holding enough made-up stores that a report takes a few seconds across two
/// worker processes, and the engine's report of it: made once for a test class, on first use (so that
/// a missing PostgreSQL skips the tests rather than failing the class). Reports do not change the
/// data, so the tests of the class share it, each with processes of its own.
/// </summary>
public sealed class ReportDatabase : IDisposable
{
    /// <summary>About 150 polls per store: some 1.5M poll rows.</summary>
    public const int Stores = 10_000;

    private readonly Lazy<Prepared> _prepared = new(Prepare);

    /// <summary>The database (skips the test, or fails it under <c>CI=true</c>, where PostgreSQL cannot be had).</summary>
    public TestDatabase Database => _prepared.Value.Database;

    /// <summary>The CSV the engine computes from the database in one piece, at its latest poll, nearest interpolation.</summary>
    public byte[] EngineReport => _prepared.Value.EngineReport;

    public string Description => $"{_prepared.Value.PollRows:N0} polls of {Stores:N0} stores, prepared in {_prepared.Value.PreparedIn.TotalSeconds:F1} s";

    public void Dispose()
    {
        if (_prepared.IsValueCreated)
        {
            _prepared.Value.Database.Dispose();
        }
    }

    private sealed record Prepared(TestDatabase Database, byte[] EngineReport, int PollRows, TimeSpan PreparedIn);

    private static Prepared Prepare()
    {
        var started = Stopwatch.StartNew();
        var database = TestDatabase.Create(DatabaseKind.Postgres);
        try
        {
            var data = SyntheticDataSet.Create(new GeneratorOptions { Stores = Stores, Span = TimeSpan.FromDays(7.75), Seed = 11 });
            var polls = GeneratedData.Import(database.Store, data);
            using var csv = new StringWriter();
            ReportRunner.Run(database.Store, new ReportRequest(), csv);
            return new Prepared(database, new UTF8Encoding(false).GetBytes(csv.ToString()), polls, started.Elapsed);
        }
        catch
        {
            database.Dispose();
            throw;
        }
    }
}
