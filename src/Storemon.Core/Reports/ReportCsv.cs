using System.Globalization;
using Storemon.Engine;

namespace Storemon.Reports;

/// <summary>The report's CSV format: the SPEC's header, minutes for the hour, hours for the day and week, two decimals.</summary>
public static class ReportCsv
{
    public const string Header =
        "store_id,uptime_last_hour,uptime_last_day,uptime_last_week,downtime_last_hour,downtime_last_day,downtime_last_week";

    /// <summary>The header of a report with a staleness limit: three more columns, in the units of their window.</summary>
    public const string HeaderWithUnknown = Header + ",unknown_last_hour,unknown_last_day,unknown_last_week";

    /// <summary>The first characters with which a spreadsheet takes a cell for a formula.</summary>
    private const string FormulaStarts = "=+-@";

    private const decimal TicksPerMinute = 600_000_000m;
    private const decimal TicksPerHour = 36_000_000_000m;

    /// <summary>
    /// The store id as the report writes it. Owners open the report in a spreadsheet, which would run an
    /// id such as <c>=HYPERLINK(…)</c> as a formula; an id that starts like one is written after an
    /// apostrophe, which spreadsheets take to mean text and do not show (OWASP's advice for CSV
    /// injection). No id of the platform's data starts so; every other id is written as it is.
    /// </summary>
    public static string StoreIdCell(string storeId) =>
        storeId.Length > 0 && FormulaStarts.Contains(storeId[0], StringComparison.Ordinal) ? "'" + storeId : storeId;

    /// <summary>A store's row; with <paramref name="unknown"/>, the three unknown columns at its end.</summary>
    public static void WriteRow(TextWriter writer, string storeId, StoreUptime uptime, bool unknown = false)
    {
        writer.Write(CsvText.Field(StoreIdCell(storeId)));
        writer.Write(',');
        writer.Write(Format(uptime.UptimeLastHour, TicksPerMinute));
        writer.Write(',');
        writer.Write(Format(uptime.UptimeLastDay, TicksPerHour));
        writer.Write(',');
        writer.Write(Format(uptime.UptimeLastWeek, TicksPerHour));
        writer.Write(',');
        writer.Write(Format(uptime.DowntimeLastHour, TicksPerMinute));
        writer.Write(',');
        writer.Write(Format(uptime.DowntimeLastDay, TicksPerHour));
        writer.Write(',');
        writer.Write(Format(uptime.DowntimeLastWeek, TicksPerHour));
        if (unknown)
        {
            writer.Write(',');
            writer.Write(Format(uptime.UnknownLastHour, TicksPerMinute));
            writer.Write(',');
            writer.Write(Format(uptime.UnknownLastDay, TicksPerHour));
            writer.Write(',');
            writer.Write(Format(uptime.UnknownLastWeek, TicksPerHour));
        }
        writer.Write('\n');
    }

    /// <summary>The store's row as <see cref="WriteRow"/> writes it, its line break included.</summary>
    public static string Row(string storeId, StoreUptime uptime, bool unknown)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        WriteRow(writer, storeId, uptime, unknown);
        return writer.ToString();
    }

    /// <summary>
    /// The row of <paramref name="storeId"/> in a report CSV, its line break included, or null when the
    /// report has none. The id is looked for as the report writes it (after an apostrophe, quoted).
    /// </summary>
    public static string? FindRow(TextReader csv, string storeId)
    {
        ArgumentNullException.ThrowIfNull(csv);
        var start = CsvText.Field(StoreIdCell(storeId)) + ",";
        csv.ReadLine(); // the header, which a store named store_id would match
        while (csv.ReadLine() is { } line)
        {
            if (line.StartsWith(start, StringComparison.Ordinal))
            {
                return line + "\n";
            }
        }
        return null;
    }

    /// <summary>
    /// The values of a row of <paramref name="storeId"/> (as <see cref="FindRow"/> finds it), in the order
    /// of the header: minutes for the hour, hours for the day and week, as written (two decimals).
    /// </summary>
    public static decimal[] Values(string row, string storeId)
    {
        ArgumentNullException.ThrowIfNull(row);
        var cells = row.AsSpan(CsvText.Field(StoreIdCell(storeId)).Length + 1).TrimEnd('\n');
        var values = new List<decimal>(9);
        foreach (var cell in cells.Split(','))
        {
            values.Add(decimal.Parse(cells[cell], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture));
        }
        return [.. values];
    }

    /// <summary>
    /// Ticks to minutes or hours, rounded half away from zero to two decimals. Decimal arithmetic keeps
    /// the division exact, so 104.5 minutes prints as 104.50, never 104.49999.
    /// </summary>
    internal static string Format(long ticks, decimal ticksPerUnit) =>
        Math.Round(ticks / ticksPerUnit, 2, MidpointRounding.AwayFromZero).ToString("0.00", CultureInfo.InvariantCulture);
}
