using System.Globalization;
using Microsoft.Extensions.Caching.Memory;
using Storemon.Reports;
using Storemon.Storage;

namespace Storemon.Api.Ui;

/// <summary>One store's row of a report, in the CSV's units: minutes for the hour, hours for the day and week.</summary>
public sealed record ReportRow(
    string StoreId,
    double UptimeLastHour, double UptimeLastDay, double UptimeLastWeek,
    double DowntimeLastHour, double DowntimeLastDay, double DowntimeLastWeek,
    double UnknownLastHour, double UnknownLastDay, double UnknownLastWeek)
{
    /// <summary>Business hours of the week: up, down and unknown together.</summary>
    public double BusinessHoursLastWeek => UptimeLastWeek + DowntimeLastWeek + UnknownLastWeek;

    /// <summary>The share of the week's business time the store was up, 0 to 100; null without business time.</summary>
    public double? UptimePercent => BusinessHoursLastWeek > 0 ? 100 * UptimeLastWeek / BusinessHoursLastWeek : null;
}

/// <summary>A complete report's rows, read from its CSV once and kept while the pages use them.</summary>
public sealed class ReportTable(IReadOnlyList<ReportRow> rows, bool hasUnknown)
{
    public IReadOnlyList<ReportRow> Rows { get; } = rows;

    /// <summary>Whether the report has the unknown columns (it was made with a max_gap).</summary>
    public bool HasUnknown { get; } = hasUnknown;

    /// <summary>The report at a glance: computed once per table.</summary>
    public ReportOverview Overview => _overview ??= ReportOverview.Of(Rows);

    private ReportOverview? _overview;

    /// <summary>The rows sorted by <paramref name="column"/>, kept per column and direction: a table of 140k rows is sorted once, not per page.</summary>
    public IReadOnlyList<ReportRow> Sorted(ReportColumn column, bool descending) =>
        _sorted.GetOrAdd((column, descending), key => Sort(Rows, key.Column, key.Descending));

    private readonly System.Collections.Concurrent.ConcurrentDictionary<(ReportColumn Column, bool Descending), ReportRow[]> _sorted = new();

    private static ReportRow[] Sort(IReadOnlyList<ReportRow> rows, ReportColumn column, bool descending)
    {
        var sorted = rows.ToArray();
        Comparison<ReportRow> byColumn = column == ReportColumn.StoreId
            ? (a, b) => string.CompareOrdinal(a.StoreId, b.StoreId)
            : (a, b) => Value(a, column).CompareTo(Value(b, column));
        // Ties keep the store id order, so that paging is stable.
        Comparison<ReportRow> order = (a, b) =>
        {
            var c = byColumn(a, b);
            return c != 0 ? (descending ? -c : c) : string.CompareOrdinal(a.StoreId, b.StoreId);
        };
        Array.Sort(sorted, order);
        return sorted;
    }

    /// <summary>A row's value in a column; uptime % is −1 for a store without business time, so it sorts first (worst).</summary>
    public static double Value(ReportRow row, ReportColumn column) => column switch
    {
        ReportColumn.UptimeLastHour => row.UptimeLastHour,
        ReportColumn.UptimeLastDay => row.UptimeLastDay,
        ReportColumn.UptimeLastWeek => row.UptimeLastWeek,
        ReportColumn.DowntimeLastHour => row.DowntimeLastHour,
        ReportColumn.DowntimeLastDay => row.DowntimeLastDay,
        ReportColumn.DowntimeLastWeek => row.DowntimeLastWeek,
        ReportColumn.UnknownLastHour => row.UnknownLastHour,
        ReportColumn.UnknownLastDay => row.UnknownLastDay,
        ReportColumn.UnknownLastWeek => row.UnknownLastWeek,
        ReportColumn.UptimePercent => row.UptimePercent ?? -1,
        _ => 0,
    };

    /// <summary>Reads a report CSV (the SPEC's header, with or without the unknown columns).</summary>
    public static ReportTable Read(TextReader csv)
    {
        var header = csv.ReadLine() ?? "";
        var hasUnknown = header == ReportCsv.HeaderWithUnknown;
        var rows = new List<ReportRow>();
        var fields = new List<string>(10);
        while (ReadRecord(csv, fields))
        {
            double F(int i) => i < fields.Count ? double.Parse(fields[i], NumberStyles.Float, CultureInfo.InvariantCulture) : 0;
            rows.Add(new ReportRow(StoreIdOf(fields[0]), F(1), F(2), F(3), F(4), F(5), F(6), hasUnknown ? F(7) : 0, hasUnknown ? F(8) : 0, hasUnknown ? F(9) : 0));
        }
        return new ReportTable(rows, hasUnknown);
    }

    /// <summary>The store id of a report cell: without the apostrophe that the CSV puts before an id that starts like a formula.</summary>
    public static string StoreIdOf(string cell) =>
        cell.Length > 1 && cell[0] == '\'' && ReportCsv.StoreIdCell(cell[1..]) == cell ? cell[1..] : cell;

    // One RFC 4180 record: quoted fields may hold commas, doubled quotes and line breaks.
    private static bool ReadRecord(TextReader reader, List<string> fields)
    {
        fields.Clear();
        var line = reader.ReadLine();
        if (string.IsNullOrEmpty(line))
        {
            return false;
        }
        var field = new System.Text.StringBuilder();
        var quoted = false;
        while (true)
        {
            for (var i = 0; i < line.Length; i++)
            {
                var c = line[i];
                if (quoted)
                {
                    if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                    {
                        field.Append('"');
                        i++;
                    }
                    else if (c == '"')
                    {
                        quoted = false;
                    }
                    else
                    {
                        field.Append(c);
                    }
                }
                else if (c == '"')
                {
                    quoted = true;
                }
                else if (c == ',')
                {
                    fields.Add(field.ToString());
                    field.Clear();
                }
                else
                {
                    field.Append(c);
                }
            }
            if (!quoted)
            {
                fields.Add(field.ToString());
                return true;
            }
            // A line break inside quotes belongs to the field.
            var next = reader.ReadLine();
            if (next is null)
            {
                fields.Add(field.ToString());
                return true;
            }
            field.Append('\n');
            line = next;
        }
    }
}

/// <summary>The columns a report table sorts by.</summary>
public enum ReportColumn
{
    StoreId,
    UptimeLastHour,
    UptimeLastDay,
    UptimeLastWeek,
    DowntimeLastHour,
    DowntimeLastDay,
    DowntimeLastWeek,
    UnknownLastHour,
    UnknownLastDay,
    UnknownLastWeek,
    UptimePercent,
}

/// <summary>The tables of complete reports, read from the database on first use and kept in memory for a while (a complete report never changes).</summary>
public sealed class ReportTables(IReportStore reports, IMemoryCache cache)
{
    /// <summary>The table of a complete report; null when there is no such complete report.</summary>
    public ReportTable? Find(string id)
    {
        if (cache.TryGetValue(Key(id), out ReportTable? table))
        {
            return table;
        }
        using var csv = reports.OpenReportCsv(id);
        if (csv is null)
        {
            return null;
        }
        using var reader = new StreamReader(csv);
        table = ReportTable.Read(reader);
        return cache.Set(Key(id), table, new MemoryCacheEntryOptions { SlidingExpiration = TimeSpan.FromMinutes(10), Size = Math.Max(1, table.Rows.Count) });
    }

    private static string Key(string id) => "report-table:" + id;
}

/// <summary>
/// A report at a glance: how many stores and business hours it covers, how the stores' uptime over the
/// week is spread (ten bins of 10 %), and the stores with the lowest uptime.
/// </summary>
public sealed record ReportOverview(
    int Stores, int StoresWithoutHours, double BusinessHours, double UptimeHours, double DowntimeHours, double UnknownHours,
    IReadOnlyList<int> Histogram, IReadOnlyList<ReportRow> Worst)
{
    public const int WorstShown = 10;

    /// <summary>The share of all stores' business time that was up, 0 to 100.</summary>
    public double? UptimePercent => BusinessHours > 0 ? 100 * UptimeHours / BusinessHours : null;

    public static ReportOverview Of(IReadOnlyList<ReportRow> rows)
    {
        var histogram = new int[10];
        double business = 0, up = 0, down = 0, unknown = 0;
        var without = 0;
        foreach (var row in rows)
        {
            business += row.BusinessHoursLastWeek;
            up += row.UptimeLastWeek;
            down += row.DowntimeLastWeek;
            unknown += row.UnknownLastWeek;
            if (row.UptimePercent is { } percent)
            {
                // 100 % goes into the last bin, [90, 100].
                histogram[Math.Min(9, (int)(percent / 10))]++;
            }
            else
            {
                without++;
            }
        }
        var worst = rows.Where(r => r.UptimePercent is not null)
            .OrderBy(r => r.UptimePercent).ThenBy(r => r.StoreId, StringComparer.Ordinal).Take(WorstShown).ToArray();
        return new ReportOverview(rows.Count, without, business, up, down, unknown, histogram, worst);
    }
}
