using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Storemon.Tests.ApiDocs;

/// <summary><c>src/Storemon.Api/storemon.http</c> exercises every endpoint: an operation added to the API without a request there fails here.</summary>
public sealed partial class HttpFileTests
{
    [GeneratedRegex(@"^(GET|POST|PUT|PATCH|DELETE) \{\{host\}\}(?<path>/[^?\s]*)", RegexOptions.Multiline)]
    private static partial Regex RequestLine();

    private static readonly (string Method, string Path)[] Requests =
    [
        .. RequestLine().Matches(File.ReadAllText(RepositoryFile.PathOf("src/Storemon.Api/storemon.http")))
            .Select(match => (match.Groups[1].Value, match.Groups["path"].Value)),
    ];

    [Fact]
    public void Every_operation_of_the_checked_in_document_has_a_request()
    {
        var document = JsonNode.Parse(File.ReadAllText(RepositoryFile.PathOf("src/Storemon.Api/openapi/v1.json")))!;

        foreach (var (template, operations) in document["paths"]!.AsObject())
        {
            // A path parameter stands for one segment, such as {{trigger.response.body.$.report_id}}.
            var pattern = new Regex("^" + Regex.Replace(Regex.Escape(template), @"\\\{[^/]+?}", "[^/]+") + "$", RegexOptions.None, TimeSpan.FromSeconds(1));
            foreach (var (method, _) in operations!.AsObject())
            {
                Assert.True(Requests.Any(r => string.Equals(r.Method, method, StringComparison.OrdinalIgnoreCase) && pattern.IsMatch(r.Path)),
                    $"storemon.http has no request for {method.ToUpperInvariant()} {template}");
            }
        }
    }

    [Theory]
    [InlineData("/health")]
    [InlineData("/openapi/v1.json")]
    [InlineData("/scalar/")]
    [InlineData("/jobs")]
    public void The_endpoints_outside_the_document_have_a_request(string path) =>
        Assert.Contains(("GET", path), Requests);
}
