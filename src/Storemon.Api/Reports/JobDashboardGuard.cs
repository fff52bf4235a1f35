using Hangfire;
using Hangfire.Dashboard;

namespace Storemon.Api.Reports;

/// <summary>
/// Answers what Hangfire's dashboard would answer with a server error: its actions (which read a posted
/// form) asked for with another method are a 405, and a job's page or action for a job id that is not
/// there (or that the job storage cannot read as an id) is a 404. It runs after authorization, so only
/// an admin gets either answer.
/// </summary>
internal static class JobDashboardGuard
{
    // Hangfire's dispatchers of actions: each reads the form that the dashboard's pages post.
    private static readonly HashSet<string> Actions = new(StringComparer.Ordinal) { "CommandDispatcher", "BatchCommandDispatcher", "JsonStats" };

    public static IApplicationBuilder UseJobDashboardGuard(this IApplicationBuilder app, string dashboardPath) => app.Use(async (context, next) =>
    {
        if (!context.Request.Path.StartsWithSegments(dashboardPath, out var rest)
            || DashboardRoutes.Routes.FindDispatcher(rest.HasValue ? rest.Value! : "/") is not { } route)
        {
            await next(context);
            return;
        }
        var (dispatcher, match) = (route.Item1, route.Item2);
        if (Actions.Contains(dispatcher.GetType().Name) && !HttpMethods.IsPost(context.Request.Method))
        {
            context.Response.Headers.Allow = HttpMethods.Post;
            await TypedResults.Problem(statusCode: StatusCodes.Status405MethodNotAllowed, title: "Method not allowed",
                detail: $"{context.Request.Path} answers POST only: the dashboard's pages post it, with the page's anti-forgery token.").ExecuteAsync(context);
            return;
        }
        if (match.Groups["JobId"] is { Success: true } jobId && !Exists(context, jobId.Value))
        {
            await TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such job",
                detail: $"The job dashboard has no job \"{jobId.Value}\": it was deleted, or expired after it finished.").ExecuteAsync(context);
            return;
        }
        await next(context);
    });

    // Each job storage reads an id its own way (a number, here): one it cannot read is no job.
    private static bool Exists(HttpContext context, string jobId)
    {
        try
        {
            using var connection = context.RequestServices.GetRequiredService<JobStorage>().GetConnection();
            return connection.GetJobData(jobId) is not null;
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            return false;
        }
    }
}
