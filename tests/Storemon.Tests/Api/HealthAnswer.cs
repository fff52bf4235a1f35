using System.Net;
using System.Text.Json;

namespace Storemon.Tests.Api;

/// <summary>One part of /health's answer.</summary>
public sealed record HealthPart(string Status, string Description);

/// <summary>What /health answered: its status code, the overall status, and each part by name, in the order of the body.</summary>
public sealed record HealthAnswer(HttpStatusCode Code, string Status, IReadOnlyList<(string Name, HealthPart Part)> Parts)
{
    public HealthPart this[string name] => Parts.Single(part => part.Name == name).Part;

    public IEnumerable<string> Names => Parts.Select(part => part.Name);

    public static async Task<HealthAnswer> Get(HttpClient client)
    {
        using var answer = await client.GetAsync("/health");
        var body = await answer.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(body);
        var parts = json.RootElement.GetProperty("parts").EnumerateArray()
            .Select(part => (part.GetProperty("name").GetString()!,
                new HealthPart(part.GetProperty("status").GetString()!, part.GetProperty("description").GetString()!)))
            .ToArray();
        return new HealthAnswer(answer.StatusCode, json.RootElement.GetProperty("status").GetString()!, parts);
    }

    /// <summary>/health's answer once <paramref name="expected"/> holds (within 5 s), or the last one.</summary>
    public static async Task<HealthAnswer> Until(HttpClient client, Func<HealthAnswer, bool> expected)
    {
        var answer = await Get(client);
        for (var i = 0; i < 50 && !expected(answer); i++)
        {
            await Task.Delay(100);
            answer = await Get(client);
        }
        return answer;
    }

    public override string ToString() =>
        $"{(int)Code} {Status}: " + string.Join("; ", Parts.Select(part => $"{part.Name} {part.Part.Status} ({part.Part.Description})"));
}
