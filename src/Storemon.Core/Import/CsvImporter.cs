using System.Diagnostics.CodeAnalysis;
using Storemon.Storage;

namespace Storemon.Import;

/// <summary>
/// Imports the SPEC's three CSV kinds into a store. Each import is one transaction: the valid rows
/// of a file are written together, every bad row is counted and reported with its line and reason,
/// and a file that fails as a whole (a missing column, an I/O error, cancellation) changes nothing.
/// </summary>
public static class CsvImporter
{
    /// <summary>How many rejections a summary lists; the count covers all of them.</summary>
    public const int RejectionsKept = 20;

    internal static readonly CsvColumn StoreIdColumn = new("store_id");

    private const int StoreId = 0;

    private static readonly string TooLongRow =
        $"the row is longer than {CsvTable.MaxRowLengthText} characters, the most a row may have.";

    // The overloads by kind accept polls of any time (ImportRules.AnyTime), for data whose times are known
    // good; the service's ways in (the CLI, the HTTP endpoints) go through Import with the clock's rules.

    /// <summary>Imports a status-poll file: polls are upserted by (store, time), the last write winning.</summary>
    /// <exception cref="ImportRejectedException">The file has no header or its header lacks a required column.</exception>
    public static ImportSummary ImportStatus(
        IMonitoringStore store, string path, IProgress<ImportProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Import(ImportKind.Status, store, path, ImportRules.AnyTime, progress, cancellationToken);

    /// <summary>Imports status polls read from <paramref name="input"/>, reported under <paramref name="fileName"/>.</summary>
    public static ImportSummary ImportStatus(
        IMonitoringStore store, Stream input, string fileName, IProgress<ImportProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Import<StatusCsv, PollRow>(store, input, fileName, ImportRules.AnyTime, progress, cancellationToken);

    /// <summary>Imports a business-hours file: the hours of every store it names replace what that store had.</summary>
    /// <exception cref="ImportRejectedException">The file has no header or its header lacks a required column.</exception>
    public static ImportSummary ImportBusinessHours(
        IMonitoringStore store, string path, IProgress<ImportProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Import(ImportKind.BusinessHours, store, path, ImportRules.AnyTime, progress, cancellationToken);

    /// <summary>Imports business hours read from <paramref name="input"/>, reported under <paramref name="fileName"/>.</summary>
    public static ImportSummary ImportBusinessHours(
        IMonitoringStore store, Stream input, string fileName, IProgress<ImportProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Import<BusinessHoursCsv, BusinessHoursRow>(store, input, fileName, ImportRules.AnyTime, progress, cancellationToken);

    /// <summary>Imports a time-zone file: each store it names gets its zone set or replaced.</summary>
    /// <exception cref="ImportRejectedException">The file has no header or its header lacks a required column.</exception>
    public static ImportSummary ImportTimeZones(
        IMonitoringStore store, string path, IProgress<ImportProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Import(ImportKind.TimeZones, store, path, ImportRules.AnyTime, progress, cancellationToken);

    /// <summary>Imports time zones read from <paramref name="input"/>, reported under <paramref name="fileName"/>.</summary>
    public static ImportSummary ImportTimeZones(
        IMonitoringStore store, Stream input, string fileName, IProgress<ImportProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Import<TimeZoneCsv, TimeZoneRow>(store, input, fileName, ImportRules.AnyTime, progress, cancellationToken);

    /// <summary>Imports a file of the given kind under <paramref name="rules"/>; the summary names it by <paramref name="path"/> as given.</summary>
    public static ImportSummary Import(
        ImportKind kind, IMonitoringStore store, string path, ImportRules rules,
        IProgress<ImportProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        // The CSV reader buffers, so the file stream does not need to.
        using var input = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.Read,
            Options = FileOptions.SequentialScan,
            BufferSize = 0,
        });
        return Import(kind, store, input, path, rules, progress, cancellationToken);
    }

    /// <summary>Imports CSV of the given kind read from <paramref name="input"/> under <paramref name="rules"/>, reported under <paramref name="fileName"/>.</summary>
    public static ImportSummary Import(
        ImportKind kind, IMonitoringStore store, Stream input, string fileName, ImportRules rules,
        IProgress<ImportProgress>? progress = null, CancellationToken cancellationToken = default) =>
        kind switch
        {
            ImportKind.Status => Import<StatusCsv, PollRow>(store, input, fileName, rules, progress, cancellationToken),
            ImportKind.BusinessHours => Import<BusinessHoursCsv, BusinessHoursRow>(store, input, fileName, rules, progress, cancellationToken),
            ImportKind.TimeZones => Import<TimeZoneCsv, TimeZoneRow>(store, input, fileName, rules, progress, cancellationToken),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown import kind."),
        };

    private static ImportSummary Import<TKind, TRow>(
        IMonitoringStore store, Stream input, string fileName, ImportRules rules, IProgress<ImportProgress>? progress, CancellationToken cancellationToken)
        where TKind : ICsvKind<TRow>
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(rules);
        // The header is checked before the store is touched, so a file refused whole opens no transaction.
        using var table = CsvTable.Open(input, fileName, TKind.Columns, progress, cancellationToken);
        var rejections = new List<ImportRejection>();
        var rejected = 0;
        var imported = TKind.Write(store, ValidRows(table, rules, Reject), cancellationToken);
        return new ImportSummary(fileName, TKind.Kind, table.RowsRead, imported, rejected, rejections);

        void Reject(string reason)
        {
            if (rejected++ < RejectionsKept)
            {
                rejections.Add(new ImportRejection(fileName, table.Line, reason));
            }
        }

        // Lazy, so the store consumes the rows inside its transaction as they are read; an exception
        // while reading rolls that transaction back.
        static IEnumerable<TRow> ValidRows(CsvTable table, ImportRules rules, Action<string> reject)
        {
            while (table.Read())
            {
                if (TryParseRow(table, rules, out var row, out var reason))
                {
                    yield return row;
                }
                else
                {
                    reject(reason);
                }
            }
        }

        static bool TryParseRow(CsvTable table, ImportRules rules, out TRow row, [NotNullWhen(false)] out string? reason)
        {
            row = default!;
            if (table.TooLong)
            {
                reason = TooLongRow;
                return false;
            }
            if (table.RowFieldCount != table.HeaderFieldCount)
            {
                reason = $"the row has {table.RowFieldCount} field{(table.RowFieldCount == 1 ? "" : "s")} where the header has {table.HeaderFieldCount}.";
                return false;
            }
            var storeId = table.Field(StoreId);
            reason = StoreIds.Problem(storeId);
            return reason is null && TKind.TryParse(table, storeId.ToString(), rules, out row, out reason);
        }
    }
}

/// <summary>One CSV kind: its columns (store_id first), how a row becomes a store row, and how the store takes them.</summary>
internal interface ICsvKind<TRow>
{
    static abstract ImportKind Kind { get; }

    static abstract IReadOnlyList<CsvColumn> Columns { get; }

    /// <summary>Reads the current row of <paramref name="row"/> whose (valid) store id is <paramref name="storeId"/>, or says why it is rejected.</summary>
    static abstract bool TryParse(CsvTable row, string storeId, ImportRules rules, out TRow value, [NotNullWhen(false)] out string? reason);

    static abstract int Write(IMonitoringStore store, IEnumerable<TRow> rows, CancellationToken cancellationToken);
}
