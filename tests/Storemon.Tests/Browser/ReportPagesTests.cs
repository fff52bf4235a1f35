using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Storemon.Generate;
using Storemon.Tests.Api;
using Storemon.Tests.Databases;
using Storemon.Tests.EndToEnd;
using static Microsoft.Playwright.Assertions;

namespace Storemon.Tests.Browser;

/// <summary>
/// The pages as a person uses them, in a real browser against the real service over a real database:
/// sign in with a key, trigger a report, watch it complete, open it, sort, search, and check that what
/// the page shows is the CSV's row.
/// </summary>
public sealed class ReportPagesTests() : DatabaseTest(DatabaseKind.Sqlite)
{
    private const string OperatorKey = "operator-key-0123456789";
    private const string ReaderKey = "reader-key-0123456789";

    private static readonly (string, string)[] Keys =
    [
        ("Access__Keys__0__Name", "operator"), ("Access__Keys__0__Key", OperatorKey),
        ("Access__Keys__0__Scopes__0", "reports:read"), ("Access__Keys__0__Scopes__1", "reports:write"),
        ("Access__Keys__1__Name", "reader"), ("Access__Keys__1__Key", ReaderKey), ("Access__Keys__1__Scopes__0", "reports:read"),
    ];

    /// <summary>Where the screenshots go: STOREMON_SCREENSHOTS, or screenshots/ beside the tests.</summary>
    private static string Screenshots => Environment.GetEnvironmentVariable("STOREMON_SCREENSHOTS") is { Length: > 0 } folder
        ? folder
        : Path.Combine(AppContext.BaseDirectory, "screenshots");

    private async Task<ServerProcess> StartService()
    {
        GeneratedData.Import(Db.Store, SyntheticDataSet.Create(new GeneratorOptions { Stores = 120, Span = TimeSpan.FromDays(8), Seed = 7 }));
        return await ServerProcess.Start(Db.Connection, Keys);
    }

    private static async Task SignIn(IPage page, string key)
    {
        await page.GotoAsync("/ui");
        await page.GetByLabel("API key").FillAsync(key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    [SkippableFact]
    public async Task A_person_signs_in_triggers_a_report_watches_it_complete_and_finds_a_store_whose_numbers_are_the_csv_row()
    {
        await using var chromium = await Chromium.Start();
        using var service = await StartService();
        await using var context = await chromium.Browser.NewContextAsync(new() { BaseURL = service.Address.ToString(), ViewportSize = new() { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();

        // Without a session the pages send a person to the sign-in page.
        await page.GotoAsync("/ui");
        Assert.EndsWith("/ui/login?ReturnUrl=%2Fui", page.Url, StringComparison.Ordinal);
        await SignIn(page, OperatorKey);
        await Expect(page).ToHaveURLAsync(new Uri(service.Address, "/ui").ToString());
        var cookie = (await context.CookiesAsync()).Single(c => c.Name == "storemon.session");
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        Assert.DoesNotContain(OperatorKey, await page.ContentAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain("No API key is configured", await page.ContentAsync(), StringComparison.Ordinal);

        // Trigger, then watch the row reach Complete without reloading the page.
        await page.GetByLabel("Interpolation").SelectOptionAsync("carry-forward");
        await page.GetByRole(AriaRole.Button, new() { Name = "Trigger" }).ClickAsync();
        var row = page.Locator("tr[data-report]").First;
        var id = await row.GetAttributeAsync("data-report");
        await page.EvaluateAsync("() => window.notReloaded = true");
        await Expect(row).ToHaveAttributeAsync("data-status", "Complete", new() { Timeout = 60_000 });
        Assert.True(await page.EvaluateAsync<bool>("() => window.notReloaded === true"));
        await Expect(row.Locator("[data-field=stores]")).ToHaveTextAsync("120");
        await Shoot(page, "reports");

        // The report: its overview, then the stores sorted by the week's downtime, the worst first.
        await row.GetByRole(AriaRole.Link, new() { Name = id }).ClickAsync();
        await Expect(page.Locator("[data-figure=stores]")).ToHaveTextAsync("120");
        await page.GetByRole(AriaRole.Link, new() { Name = "Down, week (h)" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Down, week (h) ▲" }).ClickAsync();
        await Expect(page.Locator("th[aria-sort=descending]")).ToHaveTextAsync("Down, week (h) ▼");

        var csv = await Csv(service, id!);
        var worst = csv.OrderByDescending(r => double.Parse(r.Value[5], CultureInfo.InvariantCulture)).ThenBy(r => r.Key, StringComparer.Ordinal).First();
        var firstRow = page.Locator("#stores tbody tr").First;
        Assert.Equal(worst.Key, await firstRow.GetAttributeAsync("data-store"));
        await Shoot(page, "report");

        // Search a store by part of its id: its row shows the CSV's numbers.
        var store = csv.Keys.Order(StringComparer.Ordinal).Skip(17).First();
        await page.GetByLabel("Search store id").FillAsync(store[..13]);
        await page.GetByLabel("Search store id").PressAsync("Enter");
        var found = page.Locator($"#stores tbody tr[data-store=\"{store}\"]");
        var cells = await found.Locator("td").AllInnerTextsAsync();
        Assert.Equal(csv[store], cells.Skip(2).Take(6).ToArray());

        // Its week: the numbers beside the picture are the CSV's row, the segments the timeline endpoint's.
        await found.GetByRole(AriaRole.Link, new() { Name = store }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Store {store}" })).ToBeVisibleAsync();
        var shown = new List<string>();
        foreach (var status in new[] { "up", "down" })
        {
            shown.AddRange((await page.Locator($"#row tr[data-status={status}] td").AllInnerTextsAsync()).Select(t => t.Trim()));
        }
        Assert.Equal([csv[store][0], csv[store][1], csv[store][2], csv[store][3], csv[store][4], csv[store][5]], shown);
        var timeline = await Timeline(service, id!, store);
        await page.GetByText("The segments as a table").ClickAsync();
        var segments = await page.Locator("#segments tbody tr").EvaluateAllAsync<string[]>(
            "rows => rows.map(r => r.dataset.start + ' ' + r.dataset.end + ' ' + r.dataset.status)");
        Assert.Equal(
            timeline.GetProperty("segments").EnumerateArray().Select(segment => string.Join(' ',
                segment.GetProperty("start").GetString(), segment.GetProperty("end").GetString(), segment.GetProperty("status").GetString() == "active" ? "up" : "down")),
            segments);
        Assert.Equal(timeline.GetProperty("local_days").GetArrayLength(), await page.Locator("#week g[data-lane]").CountAsync());
        // Every poll gets its tick but the latest before the week when it falls before the first local day.
        var firstDay = DateTimeOffset.Parse(timeline.GetProperty("local_days")[0].GetProperty("start").GetString()!, CultureInfo.InvariantCulture);
        Assert.Equal(timeline.GetProperty("polls").EnumerateArray().Count(p => DateTimeOffset.Parse(p.GetProperty("at").GetString()!, CultureInfo.InvariantCulture) >= firstDay),
            await page.Locator("#week g[data-poll]").CountAsync());
        await Shoot(page, "store");

        // The store's page by keyboard alone: back to the report, and the segments table's toggle.
        await page.ReloadAsync();
        var reached = await Tab(page, 12);
        Assert.Contains($"A:← Report {id}", reached);
        Assert.Contains("SUMMARY:The segments as a table", reached);

        // The key was typed once: it is in no page, no URL and not in the service's log.
        Assert.DoesNotContain(OperatorKey, service.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(OperatorKey, page.Url, StringComparison.Ordinal);
    }

    private static async Task<JsonElement> Timeline(ServerProcess service, string id, string store)
    {
        using var client = service.Client();
        client.DefaultRequestHeaders.Add("X-Api-Key", ReaderKey);
        return await client.GetFromJsonAsync<JsonElement>($"/reports/{id}/stores/{Uri.EscapeDataString(store)}/timeline");
    }

    [SkippableFact]
    public async Task A_wrong_key_is_refused_and_a_form_posted_without_its_anti_forgery_token_changes_nothing()
    {
        await using var chromium = await Chromium.Start();
        using var service = await StartService();
        await using var context = await chromium.Browser.NewContextAsync(new() { BaseURL = service.Address.ToString() });
        var page = await context.NewPageAsync();

        await SignIn(page, "not-a-key-0123456789");
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("That key is not valid.");
        Assert.DoesNotContain(await context.CookiesAsync(), c => c.Name == "storemon.session");

        await SignIn(page, OperatorKey);
        var forged = await context.APIRequest.PostAsync("/ui?handler=Trigger", new() { Form = context.APIRequest.CreateFormData().Set("Interpolation", "nearest") });
        Assert.Equal(400, forged.Status);
        using var client = service.Client();
        client.DefaultRequestHeaders.Add("X-Api-Key", ReaderKey);
        var reports = await client.GetFromJsonAsync<JsonElement>("/reports");
        Assert.Equal(0, reports.GetProperty("items").GetArrayLength());

        // A key that may only read reports sees them, but no trigger form.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Uri(service.Address, "/ui/login").ToString());
        await SignIn(page, ReaderKey);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Reports", Exact = true })).ToBeVisibleAsync();
        Assert.Equal(0, await page.GetByRole(AriaRole.Button, new() { Name = "Trigger" }).CountAsync());
    }

    [SkippableFact]
    public async Task Keyboard_alone_reaches_every_control_of_the_reports_page()
    {
        await using var chromium = await Chromium.Start();
        using var service = await StartService();
        await using var context = await chromium.Browser.NewContextAsync(new() { BaseURL = service.Address.ToString() });
        var page = await context.NewPageAsync();
        await SignIn(page, OperatorKey);

        var reached = await Tab(page, 20);

        Assert.Contains("A:Reports", reached);
        Assert.Contains("BUTTON:Sign out", reached);
        Assert.Contains("INPUT:as-of", reached);
        Assert.Contains("SELECT:interpolation", reached);
        Assert.Contains("INPUT:max-gap", reached);
        Assert.Contains("BUTTON:Trigger", reached);

        // The report's page: the search, every sort header, the stores and the pager.
        using var client = service.Client();
        client.DefaultRequestHeaders.Add("X-Api-Key", OperatorKey);
        var id = await client.TriggerReport();
        await client.WaitUntilFinished(id);
        await page.GotoAsync($"/ui/reports/{id}");
        var onReport = await Tab(page, 90);
        Assert.Contains("A:Download the CSV", onReport);
        Assert.Contains("INPUT:search", onReport);
        Assert.Contains("BUTTON:Search", onReport);
        foreach (var header in new[] { "Store", "Uptime % (week)", "Up, hour (min)", "Down, week (h)" })
        {
            Assert.Contains(onReport, e => e.StartsWith("A:" + header, StringComparison.Ordinal));
        }
        Assert.Contains("A:Next", onReport);
    }

    /// <summary>Presses Tab <paramref name="times"/> times; returns each element reached as <c>TAG:id</c>, or <c>TAG:text</c> without an id.</summary>
    private static async Task<List<string>> Tab(IPage page, int times)
    {
        var reached = new List<string>();
        for (var i = 0; i < times; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            reached.Add(await page.EvaluateAsync<string>("() => { const e = document.activeElement; return e.tagName + ':' + (e.id || e.textContent.trim()); }"));
        }
        return reached;
    }

    private static async Task Shoot(IPage page, string name)
    {
        Directory.CreateDirectory(Screenshots);
        foreach (var width in new[] { 1280, 390 })
        {
            await page.SetViewportSizeAsync(width, 900);
            await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, $"{name}-{width}.png"), FullPage = true });
        }
        await page.SetViewportSizeAsync(1280, 900);
    }

    /// <summary>The report's CSV through the API: each store's six values as the CSV writes them.</summary>
    private static async Task<Dictionary<string, string[]>> Csv(ServerProcess service, string id)
    {
        using var client = service.Client();
        client.DefaultRequestHeaders.Add("X-Api-Key", ReaderKey);
        var text = await client.GetStringAsync($"/reports/{id}/csv");
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(line => line.Split(','))
            .ToDictionary(fields => fields[0], fields => fields[1..7], StringComparer.Ordinal);
    }
}
