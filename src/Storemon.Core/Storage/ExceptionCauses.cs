namespace Storemon.Storage;

/// <summary>The causes of an error: drivers and background writers wrap what failed (a migration's error, a task's AggregateException).</summary>
internal static class ExceptionCauses
{
    /// <summary>True when <paramref name="error"/>, or an exception it wraps at any depth, matches.</summary>
    public static bool Any(Exception? error, Func<Exception, bool> match) => error switch
    {
        null => false,
        _ when match(error) => true,
        AggregateException aggregate => aggregate.InnerExceptions.Any(inner => Any(inner, match)),
        _ => Any(error.InnerException, match),
    };
}
