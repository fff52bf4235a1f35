using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Options;

namespace Storemon.Api.Ingestion;

/// <summary>
/// The service's own folder for uploads while they are imported: <c>storemon-uploads</c> in the
/// temporary folder (or <c>Ingestion:UploadFolder</c>), one subfolder per running service named after
/// its process (<c>&lt;pid&gt;-&lt;random&gt;</c>). A service killed in the middle of an import (kill -9)
/// leaves its upload there; the next service to start deletes the subfolders of processes that are
/// gone, and a service that stops deletes its own.
/// </summary>
internal sealed partial class UploadFolder(IOptions<IngestionOptions> options, ILogger<UploadFolder> logger) : IHostedService
{
    private readonly string _root = options.Value.UploadFolder is { Length: > 0 } folder
        ? Path.GetFullPath(folder)
        : Path.Combine(Path.GetTempPath(), "storemon-uploads");

    private readonly string _ownName = string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessId}-{Guid.NewGuid():N}");

    /// <summary>This service's subfolder; made on the first upload.</summary>
    public string Own => Path.Combine(_root, _ownName);

    /// <summary>A new, empty file in this service's subfolder, for one upload.</summary>
    public string NewFile()
    {
        var path = Path.Combine(Own, Guid.NewGuid().ToString("N") + ".csv");
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                Directory.CreateDirectory(Own);
                File.Create(path).Dispose();
                return path;
            }
            catch (DirectoryNotFoundException) when (attempt < 5)
            {
                // Another service that stopped just then deleted the shared folder, empty a moment ago.
            }
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(_root))
        {
            return Task.CompletedTask;
        }
        var removed = 0;
        foreach (var folder in Directory.EnumerateDirectories(_root))
        {
            var name = Path.GetFileName(folder);
            var dash = name.IndexOf('-', StringComparison.Ordinal);
            if (dash > 0 && int.TryParse(name.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && !IsRunning(pid))
            {
                try
                {
                    Directory.Delete(folder, recursive: true);
                    removed++;
                }
                catch (IOException)
                {
                    // Another service starting at the same moment took it first.
                }
            }
        }
        if (removed > 0)
        {
            LogRemoved(removed, _root);
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (Directory.Exists(Own))
            {
                Directory.Delete(Own, recursive: true);
            }
            // The shared folder goes too once no service uses it (a folder in use is not empty and stays).
            if (Directory.Exists(_root) && !Directory.EnumerateFileSystemEntries(_root).Any())
            {
                Directory.Delete(_root);
            }
        }
        catch (IOException)
        {
            // Another service made its subfolder meanwhile: the folder stays, as it should.
        }
        return Task.CompletedTask;
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted the uploads of {Count} service(s) that ended during an import, in {Folder}")]
    private partial void LogRemoved(int count, string folder);
}
