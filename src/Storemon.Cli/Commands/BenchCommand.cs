using System.CommandLine;

namespace Storemon.Cli.Commands;

internal static class BenchCommand
{
    public static Command Create() => new("bench");
}
