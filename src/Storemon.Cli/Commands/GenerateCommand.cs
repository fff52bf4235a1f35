using System.CommandLine;

namespace Storemon.Cli.Commands;

internal static class GenerateCommand
{
    public static Command Create() => new("generate");
}
