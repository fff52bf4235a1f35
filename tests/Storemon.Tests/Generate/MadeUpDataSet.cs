using Storemon.Generate;

namespace Storemon.Tests.Generate;

/// <summary>One data set of made-up stores over the default span, written once and shared by the tests that only read it.</summary>
public sealed class MadeUpDataSet : IDisposable
{
    public const int StoreCount = 400;

    private readonly TempDirectory _directory = new();

    public MadeUpDataSet()
    {
        Options = new GeneratorOptions { OutputDirectory = _directory.Path, Stores = StoreCount, Seed = 7 };
        Summary = DataGenerator.Generate(Options);
        Files = GeneratedFiles.Read(_directory.Path);
    }

    public GeneratorOptions Options { get; }

    public GenerationSummary Summary { get; }

    internal GeneratedFiles Files { get; }

    public void Dispose() => _directory.Dispose();
}
