using NodaTime;
using Storemon.Engine;
using Storemon.Generate;
using Storemon.Reports;
using Storemon.Tests.Databases;

namespace Storemon.Tests.Api;

/// <summary>
/// Made-up stores (UUID ids, zones around the world, overnight and 24-hour rows, silent days) with a
/// little more than a week of polls, some 550,000 poll rows, imported once into a PostgreSQL database of
/// a service, with the engine's report of them in each interpolation mode. Each test runs its service
/// over a copy (<see cref="TestDatabase.Copy"/>); reports do not change the data, so the engine's
/// report of the copy is the one computed here. Made on first use, so that a missing PostgreSQL skips
/// the tests rather than failing the class.
/// </summary>
public sealed class ShardedReportData : IDisposable
{
    private readonly Lazy<(TestDatabase Database, Dictionary<Interpolation, string> EngineReports)> _prepared = new(Prepare);

    /// <summary>A database of the test's own holding the data; the caller disposes it after its service.</summary>
    public TestDatabase Copy() => _prepared.Value.Database.Copy();

    /// <summary>The CSV the engine computes from the data at its latest poll.</summary>
    public string EngineReport(Interpolation interpolation) => _prepared.Value.EngineReports[interpolation];

    public void Dispose()
    {
        if (_prepared.IsValueCreated)
        {
            _prepared.Value.Database.Dispose();
        }
    }

    private static (TestDatabase, Dictionary<Interpolation, string>) Prepare()
    {
        var database = TestDatabase.CreateForService(DatabaseKind.Postgres);
        try
        {
            GeneratedData.Import(database.Store, SyntheticDataSet.Create(new GeneratorOptions
            {
                Stores = 3000,
                Span = TimeSpan.FromDays(8),
                End = Instant.FromUtc(2024, 10, 14, 12, 0).PlusNanoseconds(123_456_000),
                Seed = 23,
            }));
            var reports = new Dictionary<Interpolation, string>();
            foreach (var interpolation in new[] { Interpolation.Nearest, Interpolation.CarryForward })
            {
                using var csv = new StringWriter();
                ReportRunner.Run(database.Store, new ReportRequest(Interpolation: interpolation), csv);
                reports[interpolation] = csv.ToString();
            }
            return (database, reports);
        }
        catch
        {
            database.Dispose();
            throw;
        }
    }
}
