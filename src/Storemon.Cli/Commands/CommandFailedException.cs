namespace Storemon.Cli.Commands;

/// <summary>
/// A command cannot do its work for a reason the user can act on, already said in plain words (which
/// file, what is wrong with it); it ends the command with that one line and <see cref="ExitCode"/>.
/// </summary>
internal sealed class CommandFailedException(string message, int exitCode = ExitCodes.Failed) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
