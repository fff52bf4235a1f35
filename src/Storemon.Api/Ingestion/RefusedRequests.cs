using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Storemon.Api.Ingestion;

/// <summary>
/// A request the server refuses as it reads it (a body over its size limit is a 413, a body cut short a
/// 400): Kestrel's BadHttpRequestException. It is the caller's mistake, not the service's, so it is
/// logged as one short line at Information, without the stack trace the framework's handler would log
/// at Error, and answered with the ProblemDetails it always had: the status Kestrel chose, and its
/// message ("Request body too large. The max request body size is 400 bytes.") as the detail.
/// </summary>
internal sealed partial class RefusedRequests(IProblemDetailsService problems, ILogger<RefusedRequests> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad)
        {
            return false;
        }
        LogRefused(logger, httpContext.Request.Method, httpContext.Request.Path, bad.StatusCode, bad.Message);
        httpContext.Response.StatusCode = bad.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = new ProblemDetails { Status = bad.StatusCode, Detail = bad.Message },
        });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} {Path} refused with {StatusCode}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string method, PathString path, int statusCode, string reason);
}

internal static class RefusedRequestsSetup
{
    /// <summary>A request refused as it is read answers its ProblemDetails and logs one line (see <see cref="RefusedRequests"/>).</summary>
    public static WebApplicationBuilder AddRefusedRequests(this WebApplicationBuilder builder)
    {
        builder.Services.AddExceptionHandler<RefusedRequests>();
        return builder;
    }
}
