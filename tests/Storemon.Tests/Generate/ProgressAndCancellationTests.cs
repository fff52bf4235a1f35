using Storemon.Generate;

namespace Storemon.Tests.Generate;

public sealed class ProgressAndCancellationTests
{
    [Fact]
    public void Progress_counts_up_to_the_polls_written()
    {
        using var directory = new TempDirectory();
        var reports = new List<long>();

        var summary = DataGenerator.Generate(Options(directory.Path), new ImmediateProgress(reports.Add));

        Assert.True(reports.Count > 1);
        Assert.Equal(reports.Order(), reports);
        Assert.Equal(summary.Polls, reports[^1]);
    }

    [Fact]
    public void A_cancelled_run_leaves_no_status_file_behind()
    {
        using var directory = new TempDirectory();
        using var cancellation = new CancellationTokenSource();

        Assert.ThrowsAny<OperationCanceledException>(() =>
            DataGenerator.Generate(Options(directory.Path), new ImmediateProgress(_ => cancellation.Cancel()), cancellation.Token));

        Assert.DoesNotContain(Directory.GetFiles(directory.Path), path => path.Contains(DataGenerator.StatusFileName, StringComparison.Ordinal));
    }

    // Progress<T> reports on another thread; these tests want to hear each report as it is made.
    private sealed class ImmediateProgress(Action<long> onReport) : IProgress<long>
    {
        public void Report(long value) => onReport(value);
    }

    private static GeneratorOptions Options(string directory) =>
        new() { OutputDirectory = directory, Stores = 1_000, Span = TimeSpan.FromDays(7), Seed = 2 };
}
