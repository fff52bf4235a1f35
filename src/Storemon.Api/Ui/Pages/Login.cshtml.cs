using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Storemon.Api.Limits;

namespace Storemon.Api.Ui.Pages;

/// <summary>The one sign-in page, for the report pages and the job dashboard alike.</summary>
public sealed class LoginModel(UiAccess access) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string? Error { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(string? key)
    {
        // Refused before the key is looked at: a right key is refused too, else the page would tell it from a wrong one.
        if (access.SignInRefusal(HttpContext) is { } wait)
        {
            Error = TooManyRequests.TryAgain(access.SignInRefusalDetail, wait);
            TooManyRequests.Refuse(Response, wait);
            return Page();
        }
        Error = await access.SignIn(HttpContext, key ?? "");
        if (Error is not null)
        {
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }
        // Only a path of this service: a sign-in link must not send the person elsewhere.
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/ui");
    }
}
