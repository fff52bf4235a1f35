namespace Storemon.Api.Access;

/// <summary>
/// No page of the service may be framed by another site (clickjacking: a page of the pages or the job
/// dashboard under a transparent frame, its buttons clicked unseen): every answer says so, in the old
/// header and in the content security policy that replaced it.
/// </summary>
internal static class FrameGuard
{
    public static WebApplication UseFrameGuard(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            context.Response.Headers.XFrameOptions = "DENY";
            context.Response.Headers.ContentSecurityPolicy = "frame-ancestors 'none'";
            return next(context);
        });
        return app;
    }
}
