using System.Net;
using Storemon.Tests.Api;
using Storemon.Tests.Databases;

namespace Storemon.Tests.ApiDocs;

public sealed class ReferencePageTests : IDisposable
{
    // Keys required: the documentation must still be readable without one.
    private readonly ServiceFactory _service = new(
        DatabaseKind.Sqlite,
        ("Access:RequireKeys", "true"),
        ("Access:Keys:0:Name", "operator"),
        ("Access:Keys:0:Key", "reference-page-test-key"),
        ("Access:Keys:0:Scopes:0", "admin"));

    public void Dispose() => _service.Dispose();

    [Fact]
    public async Task The_reference_page_and_its_script_are_served_without_a_key()
    {
        var client = _service.CreateClient();

        var page = await client.GetAsync(new Uri("/scalar", UriKind.Relative)); // redirects to /scalar/
        var script = await client.GetAsync(new Uri("/scalar/scalar.js", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<title>storemon API reference</title>", html, StringComparison.Ordinal);
        Assert.Contains("openapi/v1.json", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
    }

    [Fact]
    public async Task The_document_is_served_without_a_key_while_the_API_needs_one()
    {
        var client = _service.CreateClient();

        var document = await client.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        var reports = await client.GetAsync(new Uri("/reports", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, document.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, reports.StatusCode);
    }
}
