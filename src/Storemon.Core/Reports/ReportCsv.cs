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

    /// <summary>
    /// Ticks to minutes or hours, rounded half away from zero to two decimals. Decimal arithmetic keeps
    /// the division exact, so 104.5 minutes prints as 104.50, never 104.49999.
    /// </summary>
    internal static string Format(long ticks, decimal ticksPerUnit) =>
        Math.Round(ticks / ticksPerUnit, 2, MidpointRounding.AwayFromZero).ToString("0.00", CultureInfo.InvariantCulture);
}
