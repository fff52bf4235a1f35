using System.Diagnostics.CodeAnalysis;
using NodaTime;
using Storemon.Storage;

namespace Storemon.Import;

/// <summary>Time zones: <c>store_id, timezone_str</c>, an IANA zone name of the tz database NodaTime carries.</summary>
internal sealed class TimeZoneCsv : ICsvKind<TimeZoneRow>
{
    private const int Zone = 1;

    /// <summary>
    /// Every id of the tz database, found regardless of case and mapped to its own spelling, so that
    /// <c>america/new_york</c> is stored as <c>America/New_York</c> and later resolves with
    /// <see cref="IDateTimeZoneProvider.GetZoneOrNull"/>.
    /// </summary>
    private static readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> ZoneIds = TzdbIds();

    public static ImportKind Kind => ImportKind.TimeZones;

    public static IReadOnlyList<CsvColumn> Columns { get; } = [CsvImporter.StoreIdColumn, new("timezone_str")];

    public static bool TryParse(CsvTable row, string storeId, ImportRules rules, out TimeZoneRow zone, [NotNullWhen(false)] out string? reason)
    {
        var name = row.Field(Zone);
        if (!ZoneIds.TryGetValue(name, out var id))
        {
            zone = default;
            reason = $"timezone_str {CsvTable.Quote(name)} is not a time zone of the IANA tz database (like America/New_York).";
            return false;
        }
        zone = new TimeZoneRow(storeId, id);
        reason = null;
        return true;
    }

    public static int Write(IMonitoringStore store, IEnumerable<TimeZoneRow> rows, CancellationToken cancellationToken) =>
        store.UpsertTimeZones(rows, cancellationToken);

    private static Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> TzdbIds()
    {
        var ids = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var id in DateTimeZoneProviders.Tzdb.Ids)
        {
            // No two ids of the tz database differ only in case (a test checks it), so nothing is lost here.
            ids.TryAdd(id, id);
        }
        return ids.GetAlternateLookup<ReadOnlySpan<char>>();
    }
}
