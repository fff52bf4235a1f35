using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Storemon.Storage;

namespace Storemon.Api.Ui.Pages;

/// <summary>One complete report: the overview, then its stores, sorted, searched and paged on the server.</summary>
public sealed class ReportModel(IReportStore reports, ReportTables tables) : PageModel
{
    public const int PageSize = 50;

    /// <summary>The sortable columns by the names the query string uses: the CSV's header names.</summary>
    public static readonly IReadOnlyDictionary<string, ReportColumn> Columns = new Dictionary<string, ReportColumn>(StringComparer.Ordinal)
    {
        ["store_id"] = ReportColumn.StoreId,
        ["uptime_percent"] = ReportColumn.UptimePercent,
        ["uptime_last_hour"] = ReportColumn.UptimeLastHour,
        ["uptime_last_day"] = ReportColumn.UptimeLastDay,
        ["uptime_last_week"] = ReportColumn.UptimeLastWeek,
        ["downtime_last_hour"] = ReportColumn.DowntimeLastHour,
        ["downtime_last_day"] = ReportColumn.DowntimeLastDay,
        ["downtime_last_week"] = ReportColumn.DowntimeLastWeek,
        ["unknown_last_hour"] = ReportColumn.UnknownLastHour,
        ["unknown_last_day"] = ReportColumn.UnknownLastDay,
        ["unknown_last_week"] = ReportColumn.UnknownLastWeek,
    };

    [FromRoute]
    public string Id { get; set; } = "";

    [FromQuery(Name = "sort")]
    public string Sort { get; set; } = "store_id";

    [FromQuery(Name = "dir")]
    public string Direction { get; set; } = "asc";

    [FromQuery(Name = "q")]
    public string? Search { get; set; }

    [FromQuery(Name = "page")]
    public int PageNumber { get; set; } = 1;

    public ReportRecord? Report { get; private set; }

    public ReportTable? Table { get; private set; }

    public IReadOnlyList<ReportRow> Rows { get; private set; } = [];

    /// <summary>Rows that match the search, over all pages.</summary>
    public int Matching { get; private set; }

    public int Pages => Math.Max(1, (Matching + PageSize - 1) / PageSize);

    public bool Descending => Direction == "desc";

    public IActionResult OnGet()
    {
        Report = reports.FindReport(Id);
        if (Report is null)
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
            return Page();
        }
        if (Report.Status != ReportStatus.Complete || (Table = tables.Find(Id)) is null)
        {
            return Page();
        }
        if (!Columns.TryGetValue(Sort, out var column) || (!Table.HasUnknown && Sort.StartsWith("unknown", StringComparison.Ordinal)))
        {
            (Sort, column) = ("store_id", ReportColumn.StoreId);
        }
        Direction = Direction == "desc" ? "desc" : "asc";
        var sorted = Table.Sorted(column, Descending);
        IReadOnlyList<ReportRow> matching = string.IsNullOrWhiteSpace(Search)
            ? sorted
            : [.. sorted.Where(row => row.StoreId.Contains(Search.Trim(), StringComparison.OrdinalIgnoreCase))];
        Matching = matching.Count;
        PageNumber = Math.Clamp(PageNumber, 1, Pages);
        Rows = [.. Enumerable.Range((PageNumber - 1) * PageSize, Math.Min(PageSize, Matching - ((PageNumber - 1) * PageSize))).Select(i => matching[i])];
        return Page();
    }

    /// <summary>A link to this page with some of its query changed.</summary>
    public string Link(string? sort = null, string? direction = null, int? page = null)
    {
        var query = new List<string>
        {
            "sort=" + Uri.EscapeDataString(sort ?? Sort),
            "dir=" + (direction ?? Direction),
        };
        if (!string.IsNullOrWhiteSpace(Search))
        {
            query.Add("q=" + Uri.EscapeDataString(Search));
        }
        query.Add("page=" + (page ?? 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        return $"/ui/reports/{Uri.EscapeDataString(Id)}?{string.Join('&', query)}";
    }

    /// <summary>The link of a column's header: by it ascending, or descending when it is already ascending.</summary>
    public string SortLink(string column) => Link(column, column == Sort && !Descending ? "desc" : "asc");

    public string? AriaSort(string column) => column != Sort ? null : Descending ? "descending" : "ascending";

    public string StoreLink(string storeId) => $"/ui/reports/{Uri.EscapeDataString(Id)}/stores/{Uri.EscapeDataString(storeId)}";
}
