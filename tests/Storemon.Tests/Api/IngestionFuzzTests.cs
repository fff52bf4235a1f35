using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CsCheck;
using Storemon.Import;
using Storemon.Tests.Databases;
using Storemon.Tests.Import;

namespace Storemon.Tests.Api;

/// <summary>
/// Hundreds of fuzzed requests to the ingestion endpoints: the files of <see cref="FuzzedFiles"/> as
/// text/csv bodies and multipart uploads, JSON poll arrays generated, mutated and random, and broken
/// multipart bodies. None may be a server error: a 200 with a summary whose counts add up, or a 4xx
/// ProblemDetails that changed nothing. A failure prints the seed (<c>CsCheck_Seed=&lt;seed&gt;</c>).
/// </summary>
public abstract class IngestionFuzzTests : ServiceTest
{
    private readonly int _iterations;

    protected IngestionFuzzTests(DatabaseKind kind, int iterations)
        : base(kind)
    {
        // Here, not in the sample: a skip thrown inside the generator would be reported as a failing sample.
        TestDatabase.RequireAvailable(kind);
        _iterations = iterations;
    }

    /// <summary>One request: where it goes, its body and content type, and how it was made.</summary>
    public sealed record FuzzedRequest(string Path, string ContentType, byte[] Body, string Origin)
    {
        public override string ToString() =>
            $"POST {Path} ({ContentType}), {Body.Length} bytes, {Origin}:\n{Encoding.UTF8.GetString(Body, 0, Math.Min(Body.Length, 2_000))}";
    }

    private const string Boundary = "fuzz-boundary";

    private static string PathOf(ImportKind kind, bool polls) => kind switch
    {
        ImportKind.Status => polls ? "/polls" : "/imports/status",
        ImportKind.BusinessHours => "/imports/hours",
        _ => "/imports/timezones",
    };

    private static Gen<FuzzedRequest> CsvBodies(DatabaseKind kind) =>
        Gen.Select(FuzzedFiles.Any, Gen.Bool, Gen.OneOf("text/csv", "text/csv; charset=utf-8", "TEXT/CSV; charset=latin1"),
            (file, polls, type) => new FuzzedRequest(PathOf(file.Kind, polls), type, file.Content, $"a text/csv body: {file.Origin}"));

    private static Gen<FuzzedRequest> Uploads(DatabaseKind kind) =>
        Gen.Select(FuzzedFiles.Any, Gen.OneOf("file.csv", "", "\"quoted\".csv", "ü\r\n.csv", "../../etc/passwd"), Gen.Int[0, 9],
            (file, name, files) => new FuzzedRequest(PathOf(file.Kind, polls: false), $"multipart/form-data; boundary={Boundary}",
                Multipart(file.Content, name, files == 0 ? 0 : files == 1 ? 2 : 1), $"a multipart upload of {(files == 0 ? 0 : files == 1 ? 2 : 1)} file(s): {file.Origin}"));

    private static byte[] Multipart(byte[] content, string name, int files)
    {
        var body = new List<byte>();
        for (var i = 0; i < files; i++)
        {
            body.AddRange(Encoding.UTF8.GetBytes(
                $"--{Boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n"));
            body.AddRange(content);
            body.AddRange("\r\n"u8.ToArray());
        }
        if (files == 0)
        {
            body.AddRange(Encoding.UTF8.GetBytes($"--{Boundary}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nno file\r\n"));
        }
        body.AddRange(Encoding.UTF8.GetBytes($"--{Boundary}--\r\n"));
        return [.. body];
    }

    // Multipart bodies cut or sprinkled with bytes, and bodies that claim to be multipart but are not.
    private static Gen<FuzzedRequest> BrokenMultipart(DatabaseKind kind) =>
        Gen.Select(Uploads(kind), Gen.Double[0, 1], Gen.Byte.Array[0, 64], Gen.Int[0, 2],
            Gen.OneOf("multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; boundary=other"))
            .Select((upload, at, bytes, how, type) =>
            {
                var cut = (int)(at * upload.Body.Length);
                return how switch
                {
                    0 => upload with { Body = upload.Body[..cut], Origin = $"cut at {cut}: {upload.Origin}" },
                    1 => upload with { Body = [.. upload.Body[..cut], .. bytes, .. upload.Body[cut..]], Origin = $"{bytes.Length} random bytes at {cut}: {upload.Origin}" },
                    _ => upload with { ContentType = type, Origin = $"as {type}: {upload.Origin}" },
                };
            });

    // ---- JSON ----

    private static readonly Gen<string> JsonStrings = Gen.Frequency(
        (4, Gen.OneOf("s1", "s2", "active", "inactive", "ACTIVE", "2024-10-14 10:00:00 UTC", "2024-10-14T10:00:00+02:00",
            "9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+14:00", "2024-10-14T10:00:00+99:99", "", " ")),
        (1, Gen.OneOf("\\u0000", "\\ud800", "\\udc00x", "\\u00fc", "\\n", "\\\"", "\\\\", "\\u2028", "😀")),
        (1, Gen.String[Gen.Char["ab01:- TZ+,\"\\\n\u0001"], 0, 40]),
        (1, Gen.Int[1_000, 100_000].Select(length => new string('x', length))));

    private static readonly Gen<string> JsonScalars = Gen.Frequency(
        (6, JsonStrings.Select(s => $"\"{s}\"")),
        (1, Gen.OneOf("null", "true", "false", "0", "-1.5e308", "1e999", "[]", "{}", "\"\"", "[\"s1\"]")));

    private static readonly Gen<string> JsonPolls = Gen.Select(JsonScalars, JsonScalars, JsonScalars, Gen.Int[0, 4]).Select((id, status, time, shape) => shape switch
    {
        0 => $"{{\"store_id\":{id},\"status\":{status},\"timestamp_utc\":{time}}}",
        1 => $"{{\"timestamp_utc\":{time},\"STORE_ID\":{id}}}",
        2 => $"{{\"store_id\":{id},\"status\":{status},\"timestamp_utc\":{time},\"store_id\":{id},\"extra\":{{\"a\":[1,2]}}}}",
        3 => "null",
        _ => id,
    });

    private static Gen<FuzzedRequest> JsonBodies() =>
        Gen.Select(JsonPolls.Array[0, 40], Gen.Double[0, 1], Gen.OneOf(Array.Empty<byte>(), "\""u8.ToArray(), "]"u8.ToArray(), "\0"u8.ToArray(), [0xFF], [0xC3], "{"u8.ToArray()),
            Gen.Int[0, 3], Gen.OneOf("application/json", "application/json; charset=utf-8", "text/plain", "application/problem+json"))
            .Select((polls, at, inserted, how, type) =>
            {
                var json = Encoding.UTF8.GetBytes($"[{string.Join(',', polls)}]");
                var cut = (int)(at * json.Length);
                return how switch
                {
                    0 => new FuzzedRequest("/polls", type, json, $"a JSON array of {polls.Length}"),
                    1 => new FuzzedRequest("/polls", type, json[..cut], $"a JSON array of {polls.Length} cut at {cut}"),
                    2 => new FuzzedRequest("/polls", type, [.. json[..cut], .. inserted, .. json[cut..]], $"a JSON array of {polls.Length}, {Convert.ToHexString(inserted)} at {cut}"),
                    _ => new FuzzedRequest("/polls", type, Encoding.UTF8.GetBytes(polls.Length > 0 ? polls[0] : "\"\""), "a JSON value that is not an array"),
                };
            });

    private static Gen<FuzzedRequest> Requests(DatabaseKind kind)
    {
        return Gen.Frequency((4, CsvBodies(kind)), (2, Uploads(kind)), (1, BrokenMultipart(kind)), (4, JsonBodies()));
    }

    [SkippableFact]
    public async Task No_fuzzed_upload_or_poll_body_is_answered_with_a_server_error()
    {
        // The service makes its database as it starts.
        var client = Client;
        await Requests(Kind).SampleAsync(async request =>
        {
            var before = Counts();
            using var content = new ByteArrayContent(request.Body);
            content.Headers.TryAddWithoutValidation("Content-Type", request.ContentType);
            using var response = await client.PostAsync(request.Path, content);
            var body = await response.Content.ReadAsStringAsync();

            var status = (int)response.StatusCode;
            Assert.True(status is >= 200 and < 500, $"{status}: {body}");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var summary = JsonDocument.Parse(body).RootElement;
                var read = summary.GetProperty("rows_read").GetInt32();
                Assert.Equal(read, summary.GetProperty("imported").GetInt32() + summary.GetProperty("rejected").GetInt32());
                foreach (var rejection in summary.GetProperty("first_rejections").EnumerateArray())
                {
                    Assert.True(rejection.GetProperty("line").GetInt32() >= 1, body);
                    Assert.False(string.IsNullOrWhiteSpace(rejection.GetProperty("reason").GetString()), body);
                }
                return;
            }
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(status, JsonDocument.Parse(body).RootElement.GetProperty("status").GetInt32());
            Assert.Equal(before, Counts());
        }, iter: _iterations, threads: 1, print: request => request.ToString());
    }

    private string Counts() => string.Create(CultureInfo.InvariantCulture,
        $"{Db.Count("store")} {Db.Count("poll")} {Db.Count("business_hours")} {Db.Scalar("SELECT count(time_zone) FROM store")}");
}

public sealed class IngestionFuzzTests_Sqlite() : IngestionFuzzTests(DatabaseKind.Sqlite, iterations: 600);

public sealed class IngestionFuzzTests_Postgres() : IngestionFuzzTests(DatabaseKind.Postgres, iterations: 250);
