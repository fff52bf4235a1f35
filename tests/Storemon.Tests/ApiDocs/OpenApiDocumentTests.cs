using System.Net;
using System.Text.Json.Nodes;
using Storemon.Tests.Api;
using Storemon.Tests.Databases;

namespace Storemon.Tests.ApiDocs;

/// <summary>
/// The OpenAPI document is checked in (<c>src/Storemon.Api/openapi/v1.json</c>) so that API changes
/// show in diffs. The service builds it from its endpoints; these tests make sure the copy is the
/// document the service serves, and that what it says is complete.
/// </summary>
public sealed class OpenApiDocumentTests
{
    private const string CheckedInPath = "src/Storemon.Api/openapi/v1.json";
    private const string UpdateVariable = "STOREMON_UPDATE_OPENAPI";

    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch"];

    private static async Task<string> ServedDocument()
    {
        using var service = new ServiceFactory(DatabaseKind.Sqlite);
        var response = await service.CreateClient().GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static IEnumerable<(string Path, string Method, JsonObject Operation)> Operations(JsonNode document) =>
        from path in document["paths"]!.AsObject()
        from method in Methods
        where path.Value![method] is JsonObject
        select (path.Key, method, path.Value![method]!.AsObject());

    [Fact]
    public async Task The_checked_in_document_is_the_one_the_service_serves()
    {
        var served = await ServedDocument();
        var file = RepositoryFile.PathOf(CheckedInPath);
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllText(file, served.ReplaceLineEndings("\n").TrimEnd('\n') + "\n");
            return;
        }

        var checkedIn = File.Exists(file) ? JsonNode.Parse(File.ReadAllText(file)) : null;
        var difference = FirstDifference(checkedIn, JsonNode.Parse(served), "$");
        Assert.True(difference is null,
            $"{CheckedInPath} is not the document the service serves ({difference ?? ""}). If the API change is " +
            $"intended, refresh the file and commit it with the change: {UpdateVariable}=1 dotnet test storemon.slnx --filter \"FullyQualifiedName~ApiDocs\"");
    }

    [Fact]
    public async Task Every_operation_has_an_id_a_summary_and_the_key_it_needs()
    {
        var document = JsonNode.Parse(await ServedDocument())!;

        var operations = Operations(document).ToList();
        Assert.Equal(11, operations.Count);
        foreach (var (path, method, operation) in operations)
        {
            var name = $"{method.ToUpperInvariant()} {path}";
            Assert.False(string.IsNullOrWhiteSpace((string?)operation["operationId"]), $"{name} has no operationId");
            Assert.False(string.IsNullOrWhiteSpace((string?)operation["summary"]), $"{name} has no summary");
            Assert.False(string.IsNullOrWhiteSpace((string?)operation["description"]), $"{name} has no description");
            var requirement = operation["security"]!.AsArray().Single()!.AsObject();
            Assert.Single(requirement["ApiKey"]!.AsArray());
            Assert.NotNull(operation["responses"]!["401"]);
            Assert.NotNull(operation["responses"]!["403"]);
        }
        Assert.Equal(operations.Count, operations.Select(o => (string?)o.Operation["operationId"]).Distinct().Count());
        var scheme = document["components"]!["securitySchemes"]!["ApiKey"]!;
        Assert.Equal("apiKey", (string?)scheme["type"]);
        Assert.Equal("header", (string?)scheme["in"]);
        Assert.Equal("X-Api-Key", (string?)scheme["name"]);
    }

    [Fact]
    public async Task Every_error_response_is_a_ProblemDetails_and_every_reference_resolves()
    {
        var document = JsonNode.Parse(await ServedDocument())!;

        foreach (var (path, method, operation) in Operations(document))
        {
            foreach (var (status, response) in operation["responses"]!.AsObject())
            {
                if (status[0] is '4' or '5')
                {
                    var schema = response!["content"]!["application/problem+json"]!["schema"]!;
                    Assert.True((string?)schema["$ref"] == "#/components/schemas/ProblemDetails", $"{method} {path} {status} is not a ProblemDetails");
                }
            }
        }
        var schemas = document["components"]!["schemas"]!.AsObject();
        foreach (var reference in References(document))
        {
            Assert.StartsWith("#/components/schemas/", reference, StringComparison.Ordinal);
            Assert.True(schemas.ContainsKey(reference["#/components/schemas/".Length..]), $"{reference} does not resolve");
        }
    }

    [Fact]
    public async Task The_CSV_forms_are_described_as_CSV_text()
    {
        var document = JsonNode.Parse(await ServedDocument())!;
        var paths = document["paths"]!;

        Assert.Equal("string", (string?)paths["/reports/{id}/csv"]!["get"]!["responses"]!["200"]!["content"]!["text/csv"]!["schema"]!["type"]);
        var getReport = paths["/get_report"]!["get"]!["responses"]!["200"]!["content"]!;
        Assert.Equal("#/components/schemas/GetReportResponse", (string?)getReport["application/json"]!["schema"]!["$ref"]);
        Assert.Equal("string", (string?)getReport["text/csv"]!["schema"]!["type"]);
        var polls = paths["/polls"]!["post"]!["requestBody"]!["content"]!;
        Assert.Equal("#/components/schemas/PollBody", (string?)polls["application/json"]!["schema"]!["items"]!["$ref"]);
        Assert.Equal("string", (string?)polls["text/csv"]!["schema"]!["type"]);
        foreach (var kind in new[] { "status", "hours", "timezones" })
        {
            var upload = paths[$"/imports/{kind}"]!["post"]!["requestBody"]!["content"]!;
            Assert.Equal("binary", (string?)upload["multipart/form-data"]!["schema"]!["properties"]!["file"]!["format"]);
            Assert.Equal("string", (string?)upload["text/csv"]!["schema"]!["type"]);
        }
    }

    private static IEnumerable<string> References(JsonNode? node) => node switch
    {
        JsonObject obj => obj.SelectMany(pair => pair.Key == "$ref" ? [(string)pair.Value!] : References(pair.Value)),
        JsonArray array => array.SelectMany(References),
        _ => [],
    };

    /// <summary>Where two JSON documents first differ, as a JSON path, or null when they are equal.</summary>
    private static string? FirstDifference(JsonNode? expected, JsonNode? actual, string at)
    {
        switch (expected, actual)
        {
            case (JsonObject left, JsonObject right):
                foreach (var key in left.Select(pair => pair.Key).Union(right.Select(pair => pair.Key)))
                {
                    if (!left.ContainsKey(key) || !right.ContainsKey(key))
                    {
                        return $"{at}.{key} is {(left.ContainsKey(key) ? "no longer served" : "new")}";
                    }
                    if (FirstDifference(left[key], right[key], $"{at}.{key}") is { } inner)
                    {
                        return inner;
                    }
                }
                return null;
            case (JsonArray left, JsonArray right):
                for (var i = 0; i < Math.Max(left.Count, right.Count); i++)
                {
                    if (i >= left.Count || i >= right.Count)
                    {
                        return $"{at} has {right.Count} items, the file {left.Count}";
                    }
                    if (FirstDifference(left[i], right[i], $"{at}[{i}]") is { } inner)
                    {
                        return inner;
                    }
                }
                return null;
            default:
                return JsonNode.DeepEquals(expected, actual) ? null
                    : expected is null && at == "$" ? "the file is missing" : $"{at} differs";
        }
    }
}
