using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NodaTime;
using Storemon.Api.Limits;
using Storemon.Api.Reports;
using Storemon.Api.Storage;
using Storemon.Reports;
using Storemon.Storage;

namespace Storemon.Api.Ui.Pages;

/// <summary>The reports, newest first, with the running ones' progress, and the form that triggers one.</summary>
public sealed partial class IndexModel(IReportStore reports, ReportJobs jobs, IClock clock, ILogger<IndexModel> logger) : PageModel
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
        ReportRecord report;
        try
        {
            report = jobs.Trigger(request);
        }
        catch (Exception e) when (DiskFull.OfDatabase(e))
        {
            // A person gets the page back with the reason, not the API's JSON; the operator gets the exception.
            LogDiskFull(logger, e);
            Error = $"{DiskFullProblems.Title}: the disk of the database is full, so the report was not started. Free space on it and trigger it again.";
            Response.StatusCode = StatusCodes.Status507InsufficientStorage;
            Load();
            return Page();
        }
        // Post, then redirect: a reload of the page does not trigger the report again.
        return Redirect($"/ui?triggered={Uri.EscapeDataString(report.Id)}");
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A report triggered from the pages was not started: a disk is full.")]
    private static partial void LogDiskFull(ILogger logger, Exception exception);

    private void Load()
    {
        PageNumber = Math.Clamp(PageNumber, 1, 100_000);
        var list = reports.ListReports((PageNumber - 1) * PageSize, PageSize + 1);
        HasNextPage = list.Count > PageSize;
        Reports = [.. list.Take(PageSize)];
        Now = clock.GetCurrentInstant();
    }
}
