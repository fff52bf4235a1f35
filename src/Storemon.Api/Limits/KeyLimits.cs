using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Storemon.Api.Access;
using Storemon.Api.Ingestion;
using Storemon.Reports;

namespace Storemon.Api.Limits;

/// <summary>
/// How often one key may do what costs the service most, through ASP.NET Core's rate limiter: trigger
/// reports (each keeps its CSV for Reports:Retention) and ingest. A fixed window per key name, so every
/// client and browser session of a key shares it; per client address when the service runs without keys.
/// Runs after authorization: a request refused for its key never takes a permit.
/// </summary>
internal static class KeyLimits
{
    /// <summary>trigger_report, POST /reports and the pages' trigger form: Reports:TriggerLimit per Reports:TriggerWindow.</summary>
    public const string Triggers = "triggers";

    /// <summary>/polls and /imports/*: Ingestion:RequestLimit per Ingestion:RequestWindow.</summary>
    public const string Ingestion = "ingestion";

    /// <summary>The query parameter that brings a browser refused by the trigger limit back to the reports page, with the seconds to wait.</summary>
    public const string PageWaitParameter = "wait";

    public static WebApplicationBuilder AddKeyLimits(this WebApplicationBuilder builder)
    {
        builder.Services.AddRateLimiter(options =>
        {
            // The reports page shares its endpoint between the list (GET) and the form (POST).
            options.AddPolicy(Triggers, context => HttpMethods.IsPost(context.Request.Method)
                ? Partition(context, Triggers)
                : RateLimitPartition.GetNoLimiter(""));
            options.AddPolicy(Ingestion, context => Partition(context, Ingestion));
            options.OnRejected = (rejected, _) => new ValueTask(Refuse(rejected.HttpContext, rejected.Lease));
        });
        return builder;
    }

    /// <summary>The limit and window of <paramref name="policy"/>, as configured.</summary>
    private static (int Limit, TimeSpan Window) Setting(HttpContext context, string policy)
    {
        if (policy == Triggers)
        {
            var reports = context.RequestServices.GetRequiredService<IOptions<ReportOptions>>().Value;
            return (reports.TriggerLimit, reports.TriggerWindow);
        }
        var ingestion = context.RequestServices.GetRequiredService<IOptions<IngestionOptions>>().Value;
        return (ingestion.RequestLimit, ingestion.RequestWindow);
    }

    private static bool IsOpen(HttpContext context) => context.RequestServices.GetRequiredService<AccessSetup.KeyRing>().IsOpen;

    private static RateLimitPartition<string> Partition(HttpContext context, string policy)
    {
        var (limit, window) = Setting(context, policy);
        if (limit == 0)
        {
            return RateLimitPartition.GetNoLimiter("");
        }
        var partition = IsOpen(context) ? "address " + ClientAddress.Of(context) : "key " + context.User.Identity?.Name;
        return RateLimitPartition.GetFixedWindowLimiter(partition, _ => new FixedWindowRateLimiterOptions { PermitLimit = limit, Window = window, QueueLimit = 0 });
    }

    private static Task Refuse(HttpContext context, RateLimitLease lease)
    {
        var policy = context.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName ?? Ingestion;
        var (limit, window) = Setting(context, policy);
        // The framework's fixed window says its whole length: the limit is lifted at the latest by then.
        var wait = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : window;
        var who = IsOpen(context) ? "Your address" : "This API key";
        var within = TooManyRequests.Describe(window);
        if (policy != Triggers)
        {
            return TooManyRequests.Write(context, wait, "Too many ingestion requests", string.Create(CultureInfo.InvariantCulture,
                $"{who} may send {limit} {(limit == 1 ? "request" : "requests")} to /polls and /imports within {within} (Ingestion:RequestLimit, Ingestion:RequestWindow), and has: nothing of this one was imported."));
        }
        if (context.Request.HasFormContentType)
        {
            // The pages' form: back to the reports page, which says when to try again (post, then redirect, as a trigger does).
            context.Response.Redirect(string.Create(CultureInfo.InvariantCulture, $"/ui?{PageWaitParameter}={TooManyRequests.Seconds(wait)}"));
            return Task.CompletedTask;
        }
        return TooManyRequests.Write(context, wait, "Too many reports triggered", string.Create(CultureInfo.InvariantCulture,
            $"{who} may trigger {limit} {(limit == 1 ? "report" : "reports")} within {within} (Reports:TriggerLimit, Reports:TriggerWindow), and has: this one was not started."));
    }
}
