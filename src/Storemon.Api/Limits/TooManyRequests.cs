using System.Globalization;

namespace Storemon.Api.Limits;

/// <summary>The one form of every refusal by a limit: 429, a ProblemDetails that says which limit and when to try again, and <c>Retry-After</c>.</summary>
internal static class TooManyRequests
{
    /// <summary>Whole seconds until <paramref name="wait"/> has passed, at least 1: a client that waits them finds the limit lifted.</summary>
    public static int Seconds(TimeSpan wait) => Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));

    /// <summary>A window as people say it: "60 seconds", "1 second".</summary>
    public static string Describe(TimeSpan window) =>
        window.TotalSeconds == 1 ? "1 second" : string.Create(CultureInfo.InvariantCulture, $"{window.TotalSeconds:0.###} seconds");

    /// <summary><paramref name="detail"/>, then when to try again.</summary>
    public static string TryAgain(string detail, TimeSpan wait)
    {
        var seconds = Seconds(wait);
        return string.Create(CultureInfo.InvariantCulture, $"{detail} Try again in {seconds} {(seconds == 1 ? "second" : "seconds")}.");
    }

    /// <summary>Sets the status and <c>Retry-After</c> of a refusal, for a page that writes its own body.</summary>
    public static void Refuse(HttpResponse response, TimeSpan wait)
    {
        response.StatusCode = StatusCodes.Status429TooManyRequests;
        response.Headers.RetryAfter = Seconds(wait).ToString(CultureInfo.InvariantCulture);
    }

    public static Task Write(HttpContext context, TimeSpan wait, string title, string detail)
    {
        Refuse(context.Response, wait);
        // As the key handler writes its 401: JSON whatever the client accepts.
        return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: title, detail: TryAgain(detail, wait)).ExecuteAsync(context);
    }
}
