using NodaTime;
using Storemon.Engine;

namespace Storemon.Storage;

/// <summary>A status poll as imported: the store's external id, the time in microseconds since the Unix epoch (UTC), and the status.</summary>
public readonly record struct PollRow(string StoreId, long UnixMicroseconds, bool Active);

/// <summary>A business-hours row as imported.</summary>
public readonly record struct BusinessHoursRow(string StoreId, BusinessHours Hours);

/// <summary>A time-zone row as imported: an IANA zone name already checked against the tz database.</summary>
public readonly record struct TimeZoneRow(string StoreId, string TimeZone);

/// <summary>A store as a report sees it: its compact key, its external id exactly as imported, its zone (null when none was imported) and its hours (empty for 24×7).</summary>
public sealed record StoreRecord(long Key, string ExternalId, string? TimeZone, BusinessHours[] Hours);

/// <summary>
/// The service's database. One implementation per database engine; the engine and the importer
/// only see this.
/// </summary>
public interface IMonitoringStore : IDisposable
{
    /// <summary>Brings the schema up to date (versioned migrations).</summary>
    void Migrate();

    /// <summary>Upserts polls by (store, time), the last write winning, in one transaction; returns the rows written.</summary>
    /// <remarks>If enumerating <paramref name="rows"/> throws, the transaction is rolled back and nothing is changed.</remarks>
    int WritePolls(IEnumerable<PollRow> rows, CancellationToken cancellationToken);

    /// <summary>Replaces all hours of every store that <paramref name="rows"/> names, in one transaction; returns the rows written.</summary>
    int ReplaceBusinessHours(IEnumerable<BusinessHoursRow> rows, CancellationToken cancellationToken);

    /// <summary>Upserts the time zone of every store that <paramref name="rows"/> names, in one transaction; returns the rows written.</summary>
    int UpsertTimeZones(IEnumerable<TimeZoneRow> rows, CancellationToken cancellationToken);

    /// <summary>A trivial query: throws when the database does not answer. For health checks, which must stay cheap at any data size.</summary>
    void Ping();

    /// <summary>
    /// A real write that commits: the health check's one row takes <paramref name="now"/>. Throws when the
    /// database cannot be written (read-only, its disk full, damaged). As cheap as a write can be.
    /// </summary>
    void ProbeWrite(Instant now);

    /// <summary>Opens a read of one consistent snapshot, for one report.</summary>
    IReportSnapshot OpenSnapshot();
}

/// <summary>
/// A slice of the stores by the ordinal order of their external ids: [<see cref="FromInclusive"/>,
/// <see cref="ToExclusive"/>), either end null for unbounded. Consecutive ranges split a report into
/// shards whose rows, concatenated, are the whole report.
/// </summary>
public readonly record struct StoreRange(string? FromInclusive, string? ToExclusive)
{
    /// <summary>Every store.</summary>
    public static StoreRange All => default;

    public bool IsAll => FromInclusive is null && ToExclusive is null;

    /// <summary>
    /// The one store <paramref name="storeId"/>: the ids from it up to, not including, it followed by
    /// U+0001. The only other ids in between would continue with U+0000, which no id holds (imports take
    /// no control characters, and PostgreSQL no NUL at all).
    /// </summary>
    public static StoreRange Only(string storeId) => new(storeId, storeId + "\u0001");

    /// <summary>
    /// The order of store ids in ranges: by Unicode code point, which is the order of their UTF-8 bytes
    /// and so how both databases compare them (PostgreSQL's COLLATE "C", SQLite's BINARY). .NET's ordinal
    /// order compares UTF-16 code units, which puts characters beyond U+FFFF before U+E000-U+FFFF.
    /// </summary>
    public static IComparer<string> IdOrder { get; } = Comparer<string>.Create(CompareIds);

    private static int CompareIds(string? x, string? y)
    {
        if (x is null || y is null)
        {
            return x is null ? (y is null ? 0 : -1) : 1;
        }
        var length = Math.Min(x.Length, y.Length);
        for (var i = 0; i < length; i++)
        {
            if (x[i] != y[i])
            {
                return CodePointRank(x[i]).CompareTo(CodePointRank(y[i]));
            }
        }
        return x.Length.CompareTo(y.Length);

        // Surrogates (U+D800-U+DFFF, halves of code points above U+FFFF) rank above U+E000-U+FFFF.
        static int CodePointRank(char c) => c < 0xD800 ? c : c < 0xE000 ? c + 0x2000 : c - 0x800;
    }
}

/// <summary>
/// What a report reads, all from one snapshot of the database: writes that land while it is open
/// are not seen.
/// </summary>
public interface IReportSnapshot : IDisposable
{
    /// <summary>The latest poll time in the database, or null when there are no polls.</summary>
    Instant? LatestPoll();

    /// <summary>Every store with its zone and hours, keyed by its compact key.</summary>
    IReadOnlyDictionary<long, StoreRecord> Stores() => Stores(StoreRange.All);

    /// <summary>The stores in <paramref name="range"/> with their zones and hours, keyed by compact key: what one shard of a report needs.</summary>
    IReadOnlyDictionary<long, StoreRecord> Stores(StoreRange range);

    /// <summary>The external id of every store, in ordinal order: what a report is split into shards by.</summary>
    IReadOnlyList<string> StoreIds();

    /// <summary>
    /// Streams, store after store in ordinal order of the external id, the polls of every store that
    /// has at least one poll in [<paramref name="weekStart"/>, <paramref name="asOf"/>]: those polls, preceded
    /// by the store's latest poll before <paramref name="weekStart"/> if it has one. The span handed to
    /// <paramref name="onStore"/> is only valid during the call.
    /// </summary>
    void ReadPolls(Instant weekStart, Instant asOf, StorePollsAction onStore, CancellationToken cancellationToken) =>
        ReadPolls(weekStart, asOf, StoreRange.All, silentStores: false, onStore, cancellationToken);

    /// <summary>
    /// As <see cref="ReadPolls(Instant, Instant, StorePollsAction, CancellationToken)"/>, for the stores in
    /// <paramref name="stores"/> only; with <paramref name="silentStores"/>, also every store silent all week
    /// that was polled before it, with that latest poll alone (what a report with a staleness limit shows).
    /// </summary>
    void ReadPolls(Instant weekStart, Instant asOf, StoreRange stores, bool silentStores, StorePollsAction onStore, CancellationToken cancellationToken);
}

public delegate void StorePollsAction(long storeKey, ReadOnlySpan<Poll> polls);
