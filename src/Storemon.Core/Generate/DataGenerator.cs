using System.Text;

namespace Storemon.Generate;

/// <summary>What a generation wrote: the stores, the rows of each file, and the files' paths.</summary>
public sealed record GenerationSummary(int Stores, long Polls, long HoursRows, long TimeZoneRows, IReadOnlyList<string> Files);

/// <summary>
/// How far a generation has come: the polls written so far, and how much of the span they cover (the
/// polls are written in time order, so <see cref="Covered"/> of <see cref="Span"/> is the share done).
/// </summary>
public readonly record struct GenerationProgress(long Polls, TimeSpan Covered, TimeSpan Span);

/// <summary>
/// Writes a synthetic data set as the three CSV files of the SPEC: <c>store_status.csv</c>,
/// <c>menu_hours.csv</c> and <c>timezones.csv</c>. The same options always give the same bytes.
/// </summary>
public static class DataGenerator
{
    public const string StatusFileName = "store_status.csv";
    public const string HoursFileName = "menu_hours.csv";
    public const string TimeZonesFileName = "timezones.csv";

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>
    /// Writes the data set <paramref name="options"/> describe into <see cref="GeneratorOptions.OutputDirectory"/>,
    /// replacing files of the same names. <paramref name="progress"/> hears how far the polls have come.
    /// </summary>
    /// <exception cref="ArgumentException">The options cannot work.</exception>
    /// <exception cref="InvalidDataException">An input file lacks a required column, or the files name no store.</exception>
    public static GenerationSummary Generate(GeneratorOptions options, IProgress<GenerationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var dataSet = SyntheticDataSet.Create(options, cancellationToken);
        Directory.CreateDirectory(options.OutputDirectory);

        var hoursPath = Path.Combine(options.OutputDirectory, HoursFileName);
        WriteFile(hoursPath, writer => dataSet.WriteHours(writer, cancellationToken));
        var zonesPath = Path.Combine(options.OutputDirectory, TimeZonesFileName);
        WriteFile(zonesPath, writer => dataSet.WriteTimeZones(writer, cancellationToken));
        var statusPath = Path.Combine(options.OutputDirectory, StatusFileName);
        var polls = 0L;
        WriteFile(statusPath, writer => polls = WriteStatus(dataSet, writer, progress, cancellationToken));

        return new GenerationSummary(dataSet.StoreIds.Count, polls, dataSet.HoursRowCount, dataSet.TimeZoneRowCount, [statusPath, hoursPath, zonesPath]);
    }

    private static long WriteStatus(SyntheticDataSet dataSet, TextWriter writer, IProgress<GenerationProgress>? progress, CancellationToken cancellationToken)
    {
        var rows = new StatusCsvWriter(writer, dataSet.StoreIds.Select(CsvText.Field).ToArray());
        var span = (dataSet.End - dataSet.Start).ToTimeSpan();
        var startMicroseconds = dataSet.Start.ToUnixTimeTicks() / TimeSpan.TicksPerMicrosecond;
        var written = 0L;
        foreach (var poll in dataSet.Schedule(cancellationToken))
        {
            rows.Write(poll);
            if ((++written & 0xFFFF) == 0)
            {
                progress?.Report(new GenerationProgress(written, TimeSpan.FromMicroseconds(poll.UnixMicroseconds - startMicroseconds), span));
            }
        }
        progress?.Report(new GenerationProgress(written, span, span));
        return written;
    }

    // A file appears under its name only when it is complete: a cancelled or failed run leaves no half file.
    private static void WriteFile(string path, Action<TextWriter> write)
    {
        var partial = path + ".partial";
        try
        {
            using (var writer = new StreamWriter(partial, append: false, Utf8, bufferSize: 1 << 16))
            {
                write(writer);
            }
            File.Move(partial, path, overwrite: true);
        }
        finally
        {
            File.Delete(partial);
        }
    }
}
