using NodaTime;
using Storemon.Storage;

namespace Storemon.Generate;

/// <summary>
/// A synthetic data set held as its recipe: the stores with their hours and zones, and the seed of
/// their polls. The polls are made when they are read, in time order, so a data set of any size can
/// be written to a file or straight into a database without being held in memory.
/// </summary>
public sealed class SyntheticDataSet
{
    public const string HoursHeader = "store_id,dayOfWeek,start_time_local,end_time_local";
    public const string TimeZonesHeader = "store_id,timezone_str";

    private readonly StoreCatalog _catalog;
    private readonly int _copies;
    private readonly string[] _storeIds;
    private readonly int _pollSeed;

    private SyntheticDataSet(StoreCatalog catalog, int copies, GeneratorOptions options)
    {
        _catalog = catalog;
        _copies = copies;
        _storeIds = new string[catalog.Ids.Count * copies];
        for (var copy = 0; copy < copies; copy++)
        {
            for (var i = 0; i < catalog.Ids.Count; i++)
            {
                _storeIds[(copy * catalog.Ids.Count) + i] = copy == 0 ? catalog.Ids[i] : $"{catalog.Ids[i]}-{copy + 1}";
            }
        }
        // The polls draw from their own sequence, so that they do not echo the draws that made the stores.
        _pollSeed = unchecked((options.Seed * 31) + 17);
        End = options.End;
        Start = options.End - Duration.FromTimeSpan(options.Span);
    }

    /// <summary>
    /// Reads the stores of the options' input files, or makes up <see cref="GeneratorOptions.Stores"/>
    /// stores, and multiplies them by the scale factor. Writes nothing.
    /// </summary>
    /// <exception cref="ArgumentException">The options cannot work.</exception>
    /// <exception cref="InvalidDataException">An input file lacks a required column, or the files name no store.</exception>
    public static SyntheticDataSet Create(GeneratorOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var catalog = options.UsesInputFiles
            ? InputStores.Read(options.HoursFile, options.TimeZonesFile, cancellationToken)
            : RandomStores.Create(options.Stores, new Random(options.Seed));
        if (catalog.Ids.Count == 0)
        {
            throw new InvalidDataException($"{string.Join(" and ", new[] { options.HoursFile, options.TimeZonesFile }.OfType<string>())} name no store.");
        }
        return new SyntheticDataSet(catalog, options.ScaleFactor, options);
    }

    /// <summary>Every store of the data set: the base stores, then each further copy's.</summary>
    public IReadOnlyList<string> StoreIds => _storeIds;

    /// <summary>The earliest time a poll may have.</summary>
    public Instant Start { get; }

    /// <summary>The latest poll's time.</summary>
    public Instant End { get; }

    /// <summary>Business-hours rows, copies included.</summary>
    public long HoursRowCount => (long)_catalog.Hours.Count * _copies;

    /// <summary>Time-zone rows, copies included.</summary>
    public long TimeZoneRowCount => (long)_catalog.Zones.Count * _copies;

    /// <summary>
    /// The polls, in time order, made as they are read: the same on every enumeration. Ready for
    /// <see cref="IMonitoringStore.WritePolls"/>.
    /// </summary>
    public IEnumerable<PollRow> Polls(CancellationToken cancellationToken = default)
    {
        foreach (var poll in Schedule(cancellationToken))
        {
            yield return new PollRow(_storeIds[poll.Store], poll.UnixMicroseconds, poll.Active);
        }
    }

    internal IEnumerable<ScheduledPoll> Schedule(CancellationToken cancellationToken) =>
        PollSchedule.Polls(_storeIds.Length, UnixMicroseconds(Start), UnixMicroseconds(End), _pollSeed, cancellationToken);

    /// <summary>Writes the business-hours file, header first: every copy of the store set gets the rows of its original.</summary>
    public void WriteHours(TextWriter writer, CancellationToken cancellationToken)
    {
        writer.Write(HoursHeader);
        writer.Write('\n');
        ForEachCopy(_catalog.Hours, static row => row.Store, (id, row) => CsvText.WriteRow(writer, id, row.Day, row.Start, row.End), cancellationToken);
    }

    /// <summary>Writes the time-zone file, header first: every copy of the store set gets the zone of its original.</summary>
    public void WriteTimeZones(TextWriter writer, CancellationToken cancellationToken)
    {
        writer.Write(TimeZonesHeader);
        writer.Write('\n');
        ForEachCopy(_catalog.Zones, static row => row.Store, (id, row) => CsvText.WriteRow(writer, id, row.Zone), cancellationToken);
    }

    private void ForEachCopy<TRow>(List<TRow> rows, Func<TRow, int> storeOf, Action<string, TRow> write, CancellationToken cancellationToken)
    {
        for (var copy = 0; copy < _copies; copy++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var offset = copy * _catalog.Ids.Count;
            foreach (var row in rows)
            {
                write(_storeIds[offset + storeOf(row)], row);
            }
        }
    }

    private static long UnixMicroseconds(Instant instant) => instant.ToUnixTimeTicks() / 10;
}
