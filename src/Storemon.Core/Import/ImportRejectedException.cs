namespace Storemon.Import;

/// <summary>
/// A whole file was refused (no header, a required column missing, CSV that cannot be read past some
/// line): nothing of it was written.
/// </summary>
public sealed class ImportRejectedException : Exception
{
    public ImportRejectedException()
    {
    }

    public ImportRejectedException(string message)
        : base(message)
    {
    }

    public ImportRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ImportRejectedException(string fileName, string message, Exception? innerException = null)
        : base($"{fileName}: {message}", innerException)
    {
        FileName = fileName;
    }

    /// <summary>The file as the caller named it.</summary>
    public string? FileName { get; }
}
