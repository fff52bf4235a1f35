namespace Storemon.Tests.Cli;

/// <summary>Runs the real <c>storemon</c> program (the CLI's build output, copied beside the tests) as a child process.</summary>
internal static class StoremonProcess
{
    public static ChildProcess.Result Run(params string[] arguments) =>
        ChildProcess.Run("dotnet", [Path.Combine(AppContext.BaseDirectory, "storemon.dll"), .. arguments], TimeSpan.FromMinutes(2));
}
