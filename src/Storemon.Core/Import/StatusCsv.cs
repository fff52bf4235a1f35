using System.Diagnostics.CodeAnalysis;
using Storemon.Storage;

namespace Storemon.Import;

/// <summary>
/// The fields of one poll, whatever carries them (a CSV row, a JSON object): a status of
/// <c>active</c> or <c>inactive</c> in any case, and a timestamp in any form the SPEC accepts.
/// </summary>
public static class PollFields
{
    public static bool TryParse(
        string storeId, ReadOnlySpan<char> status, ReadOnlySpan<char> timestamp, ImportRules rules, out PollRow poll, [NotNullWhen(false)] out string? reason)
    {
        poll = default;
        bool active;
        var trimmed = status.Trim();
        if (trimmed.Equals("active", StringComparison.OrdinalIgnoreCase))
        {
            active = true;
        }
        else if (trimmed.Equals("inactive", StringComparison.OrdinalIgnoreCase))
        {
            active = false;
        }
        else
        {
            reason = $"status {CsvTable.Quote(status)} is neither active nor inactive.";
            return false;
        }
        if (!TimestampParser.TryParseUnixMicroseconds(timestamp.Trim(), out var unixMicroseconds, out var outOfRange))
        {
            reason = outOfRange
                ? $"timestamp_utc {CsvTable.Quote(timestamp)} lies outside the years 1 to 9999 (in UTC), which the service can keep."
                : $"timestamp_utc {CsvTable.Quote(timestamp)} is not a valid timestamp (like 2023-01-22 12:09:39.388884 UTC, or ISO 8601 with Z or an offset).";
            return false;
        }
        reason = rules.FutureProblem(unixMicroseconds, timestamp.Trim());
        if (reason is not null)
        {
            return false;
        }
        poll = new PollRow(storeId, unixMicroseconds, active);
        return true;
    }
}

/// <summary>Status polls: <c>store_id, status, timestamp_utc</c>. A poll is <c>active</c> or <c>inactive</c>, in any case.</summary>
internal sealed class StatusCsv : ICsvKind<PollRow>
{
    private const int Status = 1;
    private const int Timestamp = 2;

    public static ImportKind Kind => ImportKind.Status;

    public static IReadOnlyList<CsvColumn> Columns { get; } = [CsvImporter.StoreIdColumn, new("status"), new("timestamp_utc")];

    public static bool TryParse(CsvTable row, string storeId, ImportRules rules, out PollRow poll, [NotNullWhen(false)] out string? reason) =>
        PollFields.TryParse(storeId, row.Field(Status), row.Field(Timestamp), rules, out poll, out reason);

    public static int Write(IMonitoringStore store, IEnumerable<PollRow> rows, CancellationToken cancellationToken) =>
        store.WritePolls(rows, cancellationToken);
}
