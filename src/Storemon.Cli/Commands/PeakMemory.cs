using System.Diagnostics;
using System.Globalization;

namespace Storemon.Cli.Commands;

/// <summary>The peak resident memory of this process, for the report's summary line.</summary>
internal static class PeakMemory
{
    /// <summary>This process's peak resident memory so far, in megabytes.</summary>
    public static double Megabytes()
    {
        if (File.Exists("/proc/self/status"))
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
                }
            }
        }
        using var process = Process.GetCurrentProcess();
        return process.PeakWorkingSet64 / 1048576.0;
    }
}
