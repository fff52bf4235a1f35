using System.Text;
using Sylvan.Data.Csv;

namespace Storemon.Generate;

/// <summary>
/// Reads the stores of given business-hours and time-zone files: the union of the store ids of both,
/// with their rows. Columns are found by header name, as the importer finds them.
/// </summary>
internal static class InputStores
{
    private static readonly string[][] HoursColumns = [["store_id"], ["dayOfWeek", "day"], ["start_time_local"], ["end_time_local"]];
    private static readonly string[][] ZoneColumns = [["store_id"], ["timezone_str"]];

    public static StoreCatalog Read(string? hoursFile, string? timeZonesFile, CancellationToken cancellationToken)
    {
        var catalog = new StoreCatalog();
        if (hoursFile is not null)
        {
            ReadRows(hoursFile, HoursColumns, fields =>
                catalog.Hours.Add(new HoursEntry(catalog.IndexOf(fields[0]), fields[1], fields[2], fields[3])), cancellationToken);
        }
        if (timeZonesFile is not null)
        {
            ReadRows(timeZonesFile, ZoneColumns, fields =>
                catalog.Zones.Add(new ZoneEntry(catalog.IndexOf(fields[0]), fields[1])), cancellationToken);
        }
        return catalog;
    }

    /// <summary>
    /// Hands each row's fields, in the order of <paramref name="columns"/> (each a list of accepted header
    /// names), to <paramref name="onRow"/>. Rows without a store id are skipped: they name no store.
    /// </summary>
    private static void ReadRows(string path, string[][] columns, Action<string[]> onRow, CancellationToken cancellationToken)
    {
        // A copy re-saved by a spreadsheet starts with a byte-order mark; the reader drops it.
        using var text = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        using var csv = CsvDataReader.Create(text, new CsvDataReaderOptions { HasHeaders = true, Delimiter = ',' });
        var ordinals = columns.Select(names => OrdinalOf(csv, names, path)).ToArray();
        var fields = new string[columns.Length];
        var rows = 0L;
        while (csv.Read())
        {
            if ((++rows & 0xFFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
            for (var i = 0; i < ordinals.Length; i++)
            {
                fields[i] = ordinals[i] < csv.RowFieldCount ? csv.GetString(ordinals[i]) : "";
            }
            if (fields[0].Length > 0)
            {
                onRow(fields);
            }
        }
    }

    private static int OrdinalOf(CsvDataReader csv, string[] names, string path)
    {
        for (var i = 0; i < csv.FieldCount; i++)
        {
            if (names.Contains(csv.GetName(i).Trim(), StringComparer.OrdinalIgnoreCase))
            {
                return i;
            }
        }
        throw new InvalidDataException($"{path}: the header has no {string.Join(" or ", names)} column.");
    }
}
