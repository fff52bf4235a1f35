using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Storemon.Storage;

namespace Storemon.Api.Storage;

/// <summary>
/// A request that fails because a disk is full answers 507 Insufficient Storage with a ProblemDetails
/// that says so, whichever endpoint it was: the disk of the database (SQLite's file, PostgreSQL's
/// tablespace), or the service's own disk, where an upload is kept in a temporary file while it is
/// imported. Neither is the caller's fault, and the same request succeeds once there is space again;
/// an import is one transaction, so a failed one imported nothing of its file.
/// </summary>
internal sealed partial class DiskFullProblems(IProblemDetailsService problems, ILogger<DiskFullProblems> logger) : IExceptionHandler
{
    public const string Title = "Insufficient storage";

    public static string DatabaseDetail(bool import) =>
        $"The disk of the database is full: {(import ? "nothing of the upload was imported" : "the request was not carried out")}. Free space on it and send the request again.";

    public static string ServiceDetail(bool import) =>
        $"The service's disk is full (an upload is kept in a temporary file while it is imported): {(import ? "nothing of the upload was imported" : "the request was not carried out")}. Free space on it and send the request again.";

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var database = DiskFull.OfDatabase(exception);
        if (!database && !DiskFull.OfFile(exception))
        {
            return false;
        }
        // Handled here, the exception is not logged by the middleware: the operator must still see it.
        LogDiskFull(logger, exception, httpContext.Request.Method, httpContext.Request.Path);
        var import = httpContext.Request.Path.StartsWithSegments("/imports", StringComparison.OrdinalIgnoreCase)
            || httpContext.Request.Path.StartsWithSegments("/polls", StringComparison.OrdinalIgnoreCase);
        httpContext.Response.StatusCode = StatusCodes.Status507InsufficientStorage;
        // No exception in the context: the service's other mappings of exceptions leave this answer alone.
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status507InsufficientStorage,
                Title = Title,
                Detail = database ? DatabaseDetail(import) : ServiceDetail(import),
            },
        });
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path} failed: a disk is full.")]
    private static partial void LogDiskFull(ILogger logger, Exception exception, string method, string path);
}

internal static class DiskFullProblemsSetup
{
    /// <summary>A full disk answers 507 with a ProblemDetails (see <see cref="DiskFullProblems"/>).</summary>
    public static WebApplicationBuilder AddDiskFullProblems(this WebApplicationBuilder builder)
    {
        builder.Services.AddExceptionHandler<DiskFullProblems>();
        return builder;
    }
}
