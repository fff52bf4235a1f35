using Storemon.Generate;

namespace Storemon.Tests.Generate;

public sealed class ProgressAndCancellationTests
{
    [Fact]
    public void Progress_counts_up_to_the_polls_written()
    {
        using var directory = new TempDirectory();
        var reports = new List<GenerationProgress>();

        var summary = DataGenerator.Generate(Options(directory.Path), new ImmediateProgress(reports.Add));

        Assert.True(reports.Count > 1);
        Assert.Equal(reports.Select(r => r.Polls).Order(), reports.Select(r => r.Polls));
        Assert.Equal(summary.Polls, reports[^1].Polls);
    }

    [Fact]
    public void Progress_moves_through_the_span_and_ends_at_all_of_it()
    {
        using var directory = new TempDirectory();
        var reports = new List<GenerationProgress>();

        DataGenerator.Generate(Options(directory.Path), new ImmediateProgress(reports.Add));

        // The share done climbs in steps between the first report and the last, not from 0 straight to 1.
        var shares = reports.Select(r => r.Covered / r.Span).ToList();
        Assert.All(reports, r => Assert.Equal(TimeSpan.FromDays(7), r.Span));
        Assert.Equal(shares.Order(), shares);
        Assert.InRange(shares[0], 0.01, 0.5);
        Assert.Contains(shares, share => share is > 0.5 and < 1);
        Assert.Equal(1, shares[^1]);
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
    private sealed class ImmediateProgress(Action<GenerationProgress> onReport) : IProgress<GenerationProgress>
    {
        public void Report(GenerationProgress value) => onReport(value);
    }

    private static GeneratorOptions Options(string directory) =>
        new() { OutputDirectory = directory, Stores = 1_000, Span = TimeSpan.FromDays(7), Seed = 2 };
}
