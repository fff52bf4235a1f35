using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Storemon.Api.Ui.Pages;

/// <summary>Ends the browser's session; a post with its anti-forgery token only, so no other site can sign a person out.</summary>
public sealed class LogoutModel(UiAccess access) : PageModel
{
    public IActionResult OnGet() => RedirectToPage("/Index");

    public async Task<IActionResult> OnPostAsync()
    {
        await access.SignOut(HttpContext);
        return Redirect("/ui/login");
    }
}
