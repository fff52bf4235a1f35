using Storemon.Generate;

namespace Storemon.Tests.Generate;

public sealed class DeterminismTests
{
    private static readonly string[] FileNames = [DataGenerator.StatusFileName, DataGenerator.HoursFileName, DataGenerator.TimeZonesFileName];

    [Fact]
    public void The_same_seed_writes_identical_bytes()
    {
        foreach (var (first, second) in FilesOfTwoRuns(seed: 11, otherSeed: 11))
        {
            Assert.Equal(first, second);
        }
    }

    [Fact]
    public void A_different_seed_writes_different_stores_and_polls()
    {
        foreach (var (first, second) in FilesOfTwoRuns(seed: 11, otherSeed: 12))
        {
            Assert.NotEqual(first, second);
        }
    }

    [Fact]
    public void The_same_seed_gives_the_same_polls_on_every_enumeration()
    {
        var dataSet = SyntheticDataSet.Create(Options("unused", seed: 5));
        Assert.Equal(dataSet.Polls().ToList(), dataSet.Polls().ToList());
    }

    [Fact]
    public void A_run_replaces_the_files_of_an_earlier_run()
    {
        using var directory = new TempDirectory();
        DataGenerator.Generate(Options(directory.Path, seed: 1) with { Stores = 200 });
        var summary = DataGenerator.Generate(Options(directory.Path, seed: 1));

        Assert.Equal(summary.Polls, File.ReadLines(directory.File(DataGenerator.StatusFileName)).LongCount() - 1);
        Assert.Equal(FileNames.Order(StringComparer.Ordinal), Directory.GetFiles(directory.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    /// <summary>The bytes of each file of two runs, file by file.</summary>
    private static List<(byte[] First, byte[] Second)> FilesOfTwoRuns(int seed, int otherSeed)
    {
        using var first = new TempDirectory();
        using var second = new TempDirectory();
        DataGenerator.Generate(Options(first.Path, seed));
        DataGenerator.Generate(Options(second.Path, otherSeed));
        return FileNames.Select(name => (File.ReadAllBytes(first.File(name)), File.ReadAllBytes(second.File(name)))).ToList();
    }

    private static GeneratorOptions Options(string directory, int seed) =>
        new() { OutputDirectory = directory, Stores = 50, Span = TimeSpan.FromDays(2), Seed = seed };
}
