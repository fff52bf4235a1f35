using Storemon.Tests.Api;
using Storemon.Tests.Cli;
using Storemon.Tests.Engine;
using Storemon.Tests.EndToEnd;
using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestCollectionOrderer("Storemon.Tests.LongRunningFirst", "Storemon.Tests")]

namespace Storemon.Tests;

/// <summary>
/// Starts the test classes that take longest first, the longest first, then the others in xunit's own
/// order (a random one). xunit runs as many classes at once as xunit.runner.json allows, starting the
/// next as one ends: a long class that happens to start last has the run end waiting for it alone,
/// with the other cores idle.
/// </summary>
public sealed class LongRunningFirst : ITestCollectionOrderer
{
    // Those of tens of seconds on a small machine (real processes, large made-up data, many services),
    // longest first as measured (fixtures included); what is not here is shorter.
    private static readonly Type[] Longest =
    [
        typeof(KilledServerTests),
        typeof(ShardedReportTests),
        typeof(Browser.ReportPagesTests),
        typeof(ReportJobTests_Postgres),
        typeof(AccessTests_Postgres),
        typeof(NaiveReferenceReportTests_Postgres),
        typeof(CommandLineTests_Postgres),
        typeof(GetReportTests_Postgres),
        typeof(IngestionTests_Postgres),
        typeof(NaiveReferenceTests),
        typeof(Import.ImportFuzzTests_Postgres),
        typeof(Api.IngestionFuzzTests_Postgres),
    ];

    // The name xunit gives the collection of a test class that does not name one of its own.
    private const string ClassCollectionPrefix = "Test collection for ";

    private readonly DefaultTestCollectionOrderer _xunitOrder = new();

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        _xunitOrder.OrderTestCollections(testCollections).OrderBy(Rank);

    private static int Rank(ITestCollection collection)
    {
        var rank = collection.DisplayName.StartsWith(ClassCollectionPrefix, StringComparison.Ordinal)
            ? Array.FindIndex(Longest, type => type.FullName == collection.DisplayName[ClassCollectionPrefix.Length..])
            : -1;
        return rank >= 0 ? rank : Longest.Length;
    }
}
