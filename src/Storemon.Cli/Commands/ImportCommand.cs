using System.CommandLine;

namespace Storemon.Cli.Commands;

internal static class ImportCommand
{
    public static Command Create() => new("import");
}
