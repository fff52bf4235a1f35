using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NodaTime;
using Storemon.Api.Limits;
using Storemon.Api.Reports;
using Storemon.Reports;
using Storemon.Storage;

namespace Storemon.Api.Ui.Pages;

/// <summary>The reports, newest first, with the running ones' progress, and the form that triggers one.</summary>
public sealed class IndexModel(IReportStore reports, ReportJobs jobs, IClock clock) : PageModel
{
    public const int PageSize = 25;

    public IReadOnlyList<ReportRecord> Reports { get; private set; } = [];

    public Instant Now { get; private set; }

    [BindProperty(SupportsGet = true, Name = "page")]
    public int PageNumber { get; set; } = 1;

    public bool HasNextPage { get; private set; }

    [BindProperty]
    public string? AsOf { get; set; }

    [BindProperty]
    public string? Interpolation { get; set; }

    [BindProperty]
    public string? MaxGap { get; set; }

    /// <summary>Seconds to wait, when a trigger from the form was refused by the key's trigger limit (<see cref="KeyLimits"/>).</summary>
    [BindProperty(SupportsGet = true, Name = KeyLimits.PageWaitParameter)]
    public int? Wait { get; set; }

    public string? Error { get; private set; }

    public void OnGet()
    {
        if (Wait is > 0 and var seconds)
        {
            Error = TooManyRequests.TryAgain("Too many reports triggered with this key (Reports:TriggerLimit): the report was not started.", TimeSpan.FromSeconds(seconds));
        }
        Load();
    }

    public IActionResult OnPostTrigger()
    {
        if (!UiAccess.MayTrigger(User))
        {
            return Forbid();
        }
        if (!ReportEndpoints.TryRead(AsOf, Interpolation, MaxGap, out var request, out var error))
        {
            Error = $"{error.Title}: {error.Detail}";
            Response.StatusCode = StatusCodes.Status400BadRequest;
            Load();
            return Page();
        }
        var report = jobs.Trigger(request);
        // Post, then redirect: a reload of the page does not trigger the report again.
        return Redirect($"/ui?triggered={Uri.EscapeDataString(report.Id)}");
    }

    private void Load()
    {
        PageNumber = Math.Clamp(PageNumber, 1, 100_000);
        var list = reports.ListReports((PageNumber - 1) * PageSize, PageSize + 1);
        HasNextPage = list.Count > PageSize;
        Reports = [.. list.Take(PageSize)];
        Now = clock.GetCurrentInstant();
    }
}
