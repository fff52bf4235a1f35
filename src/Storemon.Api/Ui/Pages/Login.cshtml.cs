using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

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
