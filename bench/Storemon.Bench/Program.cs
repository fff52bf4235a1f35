namespace Storemon.Bench;

// storemon-bench: times storemon's import and report (README, Performance).
internal static class Program
{
    public static Task<int> Main(string[] args) => BenchCommand.Create().Parse(args).InvokeAsync();
}
