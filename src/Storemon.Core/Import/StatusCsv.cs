using System.Diagnostics.CodeAnalysis;
using Storemon.Storage;

namespace Storemon.Import;

/// <summary>Status polls: <c>store_id, status, timestamp_utc</c>. A poll is <c>active</c> or <c>inactive</c>, in any case.</summary>
internal sealed class StatusCsv : ICsvKind<PollRow>
{
    private const int Status = 1;
    private const int Timestamp = 2;

    public static ImportKind Kind => ImportKind.Status;

    public static IReadOnlyList<CsvColumn> Columns { get; } = [CsvImporter.StoreIdColumn, new("status"), new("timestamp_utc")];

    public static bool TryParse(CsvTable row, string storeId, out PollRow poll, [NotNullWhen(false)] out string? reason)
    {
        poll = default;
        var status = row.Field(Status);
        bool active;
        if (status.Equals("active", StringComparison.OrdinalIgnoreCase))
        {
            active = true;
        }
        else if (status.Equals("inactive", StringComparison.OrdinalIgnoreCase))
        {
            active = false;
        }
        else
        {
            reason = $"status {CsvTable.Quote(status)} is neither active nor inactive.";
            return false;
        }

        var timestamp = row.Field(Timestamp);
        if (!TimestampParser.TryParseUnixMicroseconds(timestamp, out var unixMicroseconds))
        {
            reason = $"timestamp_utc {CsvTable.Quote(timestamp)} is not a valid timestamp (like 2023-01-22 12:09:39.388884 UTC, or ISO 8601 with Z or an offset).";
            return false;
        }

        poll = new PollRow(storeId, unixMicroseconds, active);
        reason = null;
        return true;
    }

    public static int Write(IMonitoringStore store, IEnumerable<PollRow> rows, CancellationToken cancellationToken) =>
        store.WritePolls(rows, cancellationToken);
}
