using System.Text;

namespace Storemon.Cli.Commands;

/// <summary>
/// The files a command reads and writes, checked before the work starts so that a wrong path is one
/// plain line (which file, what is wrong) rather than an exception from deep inside the work.
/// </summary>
internal static class CommandFiles
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Fails unless <paramref name="path"/> is a file that can be read; <paramref name="what"/> names it in the message ("status file").</summary>
    public static void RequireReadable(string path, string what)
    {
        if (Directory.Exists(path))
        {
            throw new CommandFailedException($"the {what} {path} is a folder, not a file.");
        }
        if (!File.Exists(path))
        {
            throw new CommandFailedException($"the {what} {path} does not exist.");
        }
        try
        {
            using var _ = File.OpenRead(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CommandFailedException($"cannot read the {what} {path}: {Reason(e, path)}.");
        }
    }

    /// <summary>
    /// Fails unless a file can be written at <paramref name="path"/>: its folder exists and it is not a
    /// folder itself. Cheap, so a command checks this before long work whose result would be lost.
    /// </summary>
    public static void RequireWritable(string path, string what)
    {
        if (Directory.Exists(path))
        {
            throw new CommandFailedException($"cannot write the {what} to {path}: it is a folder.");
        }
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } folder && !Directory.Exists(folder))
        {
            throw new CommandFailedException($"cannot write the {what} to {path}: the folder {folder} does not exist.");
        }
    }

    /// <summary>Creates (or replaces) the text file <paramref name="path"/>, UTF-8 without a byte-order mark.</summary>
    public static StreamWriter CreateText(string path, string what)
    {
        RequireWritable(path, what);
        try
        {
            return new StreamWriter(path, append: false, Utf8, bufferSize: 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CommandFailedException($"cannot write the {what} to {path}: {Reason(e, path)}.");
        }
    }

    /// <summary>Creates the folder <paramref name="path"/> and its parents where missing.</summary>
    public static void CreateFolder(string path, string what)
    {
        if (File.Exists(path))
        {
            throw new CommandFailedException($"cannot write the {what} to {path}: it is a file, not a folder.");
        }
        try
        {
            Directory.CreateDirectory(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CommandFailedException($"cannot create the folder {path} for the {what}: {Reason(e, path)}.");
        }
    }

    // .NET's messages ("Could not find a part of the path …", "Access to the path … is denied.") name
    // the path again and in its own terms; the user wants the reason.
    private static string Reason(Exception e, string path) => e switch
    {
        UnauthorizedAccessException => "permission denied",
        DirectoryNotFoundException => $"the folder {Path.GetDirectoryName(Path.GetFullPath(path))} does not exist",
        FileNotFoundException => "it does not exist",
        _ => e.Message.TrimEnd('.'),
    };
}
