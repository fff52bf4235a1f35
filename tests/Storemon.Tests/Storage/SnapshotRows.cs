using NodaTime;
using Storemon.Storage;

namespace Storemon.Tests.Storage;

/// <summary>How many poll rows a report reads from a snapshot: the polls it hands over, store after store.</summary>
internal static class SnapshotRows
{
    public static long CountPollRows(this IReportSnapshot snapshot, Instant weekStart, Instant asOf, CancellationToken cancellationToken) =>
        snapshot.CountPollRows(weekStart, asOf, StoreRange.All, cancellationToken);

    public static long CountPollRows(this IReportSnapshot snapshot, Instant weekStart, Instant asOf, StoreRange range, CancellationToken cancellationToken)
    {
        long rows = 0;
        snapshot.ReadPolls(weekStart, asOf, range, silentStores: false, (_, polls) => rows += polls.Length, cancellationToken);
        return rows;
    }
}
