using System.Globalization;
using Storemon.Storage;

namespace Storemon.Api.Storage;

/// <summary>
/// What a request hears when the database does not answer (<see cref="DatabaseUnavailable"/>: stopped,
/// restarting, unreachable): 503 with a <c>Retry-After</c>, since the same request will work once the
/// database is back, rather than the 500 of a fault. The body says so and no more: the exception's text
/// could name the server, its address or the connection's settings.
/// </summary>
internal static class DatabaseOutage
{
    /// <summary>
    /// Seconds a caller is asked to wait before trying again: a PostgreSQL restart takes seconds to tens
    /// of seconds, and a retry every five costs the service nothing while the database is down.
    /// </summary>
    public const int RetryAfterSeconds = 5;

    public const string Title = "Database unavailable";

    public static readonly string Detail =
        $"The service's database does not answer at the moment (it may be restarting). Try again in {RetryAfterSeconds} seconds.";

    /// <summary>The status code of a request that threw <paramref name="error"/>: 503 when the database does not answer, else <paramref name="otherwise"/>.</summary>
    public static int StatusCode(Exception error, int otherwise) =>
        DatabaseUnavailable.IsCause(error) ? StatusCodes.Status503ServiceUnavailable : otherwise;

    /// <summary>Gives the ProblemDetails of a request that failed because the database does not answer its title, detail and <c>Retry-After</c>.</summary>
    public static void Describe(ProblemDetailsContext context)
    {
        if (!DatabaseUnavailable.IsCause(context.Exception))
        {
            return;
        }
        context.ProblemDetails.Title = Title;
        context.ProblemDetails.Detail = Detail;
        context.HttpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
    }
}
