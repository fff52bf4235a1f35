using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Storemon.Api.Health;

/// <summary>
/// /health: each part of the service with its status and what is wrong with it, for a load balancer (the
/// status code: 200 Healthy or Degraded, 503 Unhealthy) and for a person (the JSON body). The parts:
/// <c>database</c> (<see cref="DatabaseCheck"/>), <c>database-writes</c> (<see cref="DatabaseWritesCheck"/>)
/// and <c>jobs</c> (<see cref="JobServerCheck"/>). A load balancer polls it often: the database is asked
/// one trivial query per poll, and the write probe and the job servers are read at most once per
/// Health:CacheFor (5 s by default).
/// </summary>
internal static class HealthEndpoints
{
    public static IHostApplicationBuilder AddStoremonHealth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<HealthOptions>()
            .Bind(builder.Configuration.GetSection(HealthOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => o.JobHeartbeatLimit > JobServerCheck.HeartbeatInterval * 2,
                $"Health:JobHeartbeatLimit must be more than twice the job server's heartbeat interval ({JobServerCheck.HeartbeatInterval.TotalSeconds} s).")
            .ValidateOnStart();
        // Singletons: the write probe and the job servers' answer are kept between polls.
        builder.Services.AddSingleton<DatabaseCheck>();
        builder.Services.AddSingleton<DatabaseWritesCheck>();
        builder.Services.AddSingleton<JobServerCheck>();
        builder.Services.AddHealthChecks()
            .AddCheck<DatabaseCheck>(DatabaseCheck.Name)
            .AddCheck<DatabaseWritesCheck>(DatabaseWritesCheck.Name)
            .AddCheck<JobServerCheck>(JobServerCheck.Name);
        return builder;
    }

    public static WebApplication MapHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = WriteParts }).AllowAnonymous();
        return app;
    }

    /// <summary>
    /// <c>{"status": "Unhealthy", "parts": [{"name": "database", "status": "Healthy", "description": "…"}, …]}</c>.
    /// A check that threw (none should) is described without its exception's text, which could name a
    /// server, a path or a connection's settings.
    /// </summary>
    private static Task WriteParts(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        using var json = new MemoryStream();
        // Relaxed escaping: "process's", not "process\u0027s" (the body is JSON, never inlined into HTML).
        using (var writer = new Utf8JsonWriter(json, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("status", report.Status.ToString());
            writer.WriteStartArray("parts");
            foreach (var (name, entry) in report.Entries)
            {
                writer.WriteStartObject();
                writer.WriteString("name", name);
                writer.WriteString("status", entry.Status.ToString());
                writer.WriteString("description", entry.Exception is null ? entry.Description : "The check itself failed: the service log says why.");
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return context.Response.Body.WriteAsync(json.GetBuffer().AsMemory(0, (int)json.Length)).AsTask();
    }
}
