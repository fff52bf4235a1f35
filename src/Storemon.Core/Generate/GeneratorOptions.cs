using NodaTime;

namespace Storemon.Generate;

/// <summary>
/// What a synthetic data set is made of: where it goes, which stores, which span of time, and the
/// seed that makes it reproducible (the same options always give byte-identical files).
/// </summary>
public sealed record GeneratorOptions
{
    /// <summary>The end of the public 2023 status file: its latest poll.</summary>
    public static readonly Instant DefaultEnd = Instant.FromUtc(2023, 1, 25, 18, 13, 22).PlusNanoseconds(479_220_000);

    /// <summary>The length of the public 2023 status file: 2023-01-18 to 2023-01-25 18:13.</summary>
    public static readonly TimeSpan DefaultSpan = TimeSpan.FromDays(7.75);

    /// <summary>The directory the files are written to; created when missing.</summary>
    public string OutputDirectory { get; init; } = ".";

    /// <summary>How many stores to make up when no hours or time-zone file is given.</summary>
    public int Stores { get; init; } = 1_000;

    /// <summary>How much time the polls cover, ending at <see cref="End"/>.</summary>
    public TimeSpan Span { get; init; } = DefaultSpan;

    /// <summary>The latest poll of the data set; the polls cover [<see cref="End"/> − <see cref="Span"/>, <see cref="End"/>].</summary>
    public Instant End { get; init; } = DefaultEnd;

    public int Seed { get; init; } = 1;

    /// <summary>A business-hours file whose stores (with the time-zone file's) are used instead of made-up ones.</summary>
    public string? HoursFile { get; init; }

    /// <summary>A time-zone file whose stores (with the hours file's) are used instead of made-up ones.</summary>
    public string? TimeZonesFile { get; init; }

    /// <summary>
    /// How many copies of the store set to make: copy 1 keeps the ids, copies 2…k add <c>-2</c> … <c>-k</c>
    /// to them and get the same hours and zone. 10 turns the public data set into the SPEC's ten-times case.
    /// </summary>
    public int ScaleFactor { get; init; } = 1;

    /// <summary>True when the stores come from files rather than being made up.</summary>
    public bool UsesInputFiles => HoursFile is not null || TimeZonesFile is not null;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option that cannot work.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(OutputDirectory))
        {
            throw new ArgumentException("The output directory is required.", nameof(OutputDirectory));
        }
        if (!UsesInputFiles && Stores is < 1 or > 10_000_000)
        {
            throw new ArgumentException($"The number of stores must be 1 to 10 million, not {Stores}.", nameof(Stores));
        }
        if (Span <= TimeSpan.Zero || Span > TimeSpan.FromDays(3_650))
        {
            throw new ArgumentException($"The span must be more than zero and at most ten years, not {Span}.", nameof(Span));
        }
        if (End - Duration.FromTimeSpan(Span) < Instant.FromUnixTimeTicks(0) || End > Instant.FromUtc(9000, 1, 1, 0, 0))
        {
            throw new ArgumentException($"The polls must fall between 1970 and 9000, not end at {End} after {Span}.", nameof(End));
        }
        if (ScaleFactor is < 1 or > 1_000)
        {
            throw new ArgumentException($"The scale factor must be 1 to 1000, not {ScaleFactor}.", nameof(ScaleFactor));
        }
        foreach (var file in new[] { HoursFile, TimeZonesFile })
        {
            if (file is not null && !File.Exists(file))
            {
                throw new ArgumentException($"The input file {file} does not exist.", file == HoursFile ? nameof(HoursFile) : nameof(TimeZonesFile));
            }
        }
    }
}
