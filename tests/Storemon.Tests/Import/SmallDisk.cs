using System.Globalization;
using Microsoft.Data.Sqlite;
using Storemon.Storage;

namespace Storemon.Tests.Import;

/// <summary>
/// A tmpfs of a few MiB mounted on a folder: a real disk that runs out of space. A filler file takes
/// all but a little of it (<see cref="FillLeaving"/>) and gives it back (<see cref="Free"/>).
/// </summary>
/// <remarks>
/// Mounting takes root on Linux (as CI runs). Where it cannot be done the test is skipped with the
/// reason, except under <c>CI=true</c>, where it fails: CI must not pass without these tests.
/// </remarks>
internal sealed class SmallDisk : IDisposable
{
    private bool _mounted;

    private SmallDisk(string folder) => Folder = folder;

    /// <summary>The mount point.</summary>
    public string Folder { get; }

    private string Filler => Path.Combine(Folder, "filler");

    /// <summary>The free space of the disk, in bytes.</summary>
    public long Available => new DriveInfo(Folder).AvailableFreeSpace;

    /// <summary>Mounts a tmpfs of <paramref name="mebibytes"/> MiB on <paramref name="folder"/>, an empty folder that exists.</summary>
    public static SmallDisk MountOn(string folder, int mebibytes)
    {
        string unavailable;
        if (!OperatingSystem.IsLinux())
        {
            unavailable = "a tmpfs is mounted on Linux only";
        }
        else if (Environment.UserName != "root")
        {
            unavailable = $"mounting a tmpfs takes root, and the tests run as {Environment.UserName}";
        }
        else
        {
            var mount = Run("mount", "-t", "tmpfs", "-o", string.Create(CultureInfo.InvariantCulture, $"size={mebibytes}m,mode=0755"), "tmpfs", folder);
            if (mount.ExitCode == 0)
            {
                return new SmallDisk(folder) { _mounted = true };
            }
            unavailable = $"mount -t tmpfs failed (exit code {mount.ExitCode}): {mount.StandardError.Trim()}";
        }
        throw Unavailable(unavailable);
    }

    /// <summary>The skip (or under <c>CI=true</c> the failure) of a test that cannot have its small disk, for <paramref name="reason"/>.</summary>
    public static Exception Unavailable(string reason) =>
        string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)
            ? new InvalidOperationException($"A small disk is required under CI=true, but {reason}.")
            : new SkipException($"No small disk to fill: {reason}.");

    /// <summary>
    /// Fills the disk with a file until at most <paramref name="bytes"/> are free. Asked to leave nothing, a
    /// write that finds the disk full ends the filling: a service writing to the disk meanwhile took the rest.
    /// </summary>
    public void FillLeaving(long bytes)
    {
        var block = new byte[64 * 1024];
        using var filler = new FileStream(Filler, FileMode.Append, FileAccess.Write, FileShare.None, bufferSize: 0);
        try
        {
            for (var left = Available - bytes; left > 0; left -= block.Length)
            {
                filler.Write(block, 0, (int)Math.Min(block.Length, left));
            }
            filler.Flush(flushToDisk: true);
        }
        catch (IOException full) when (bytes == 0 && DiskFull.OfFile(full))
        {
        }
    }

    /// <summary>Deletes the filler: the disk has its space again.</summary>
    public void Free() => File.Delete(Filler);

    /// <summary>Unmounts the disk (everything on it goes); the mount point stays, empty.</summary>
    public void Dispose()
    {
        if (!_mounted)
        {
            return;
        }
        _mounted = false;
        // Pooled SQLite connections keep the database's files open, which keeps the disk busy.
        SqliteConnection.ClearAllPools();
        if (Run("umount", Folder).ExitCode != 0)
        {
            // Still busy (a process that has not let go yet): detached now, gone when it lets go, so
            // that the mount point can be deleted.
            Run("umount", "--lazy", Folder);
        }
    }

    private static ChildProcess.Result Run(string program, params string[] arguments) =>
        ChildProcess.Run(program, arguments, TimeSpan.FromSeconds(30));
}
