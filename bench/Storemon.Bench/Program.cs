namespace Storemon.Bench;

// storemon-bench: the benchmark of import and report, beside the product rather than inside it.
internal static class Program
{
    public static Task<int> Main(string[] args) => BenchCommand.Create().Parse(args).InvokeAsync();
}
