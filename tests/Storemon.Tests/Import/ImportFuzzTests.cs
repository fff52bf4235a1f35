using System.Globalization;
using System.Text;
using CsCheck;
using Storemon.Import;
using Storemon.Storage;
using Storemon.Tests.Databases;

namespace Storemon.Tests.Import;

/// <summary>
/// Thousands of generated and mutated files (<see cref="FuzzedFiles"/>) through the importer, on a real
/// database. Whatever the bytes, an import either returns a summary in which every row read was
/// imported or rejected with its line and a reason, the imported rows being in the database, or
/// refuses the file whole, changing nothing. A failure prints the seed: run again with
/// <c>CsCheck_Seed=&lt;seed&gt;</c> in the environment to replay that file first.
/// </summary>
public abstract class ImportFuzzTests : DatabaseTest
{
    private readonly int _iterations;
    private readonly RecordingStore _store;
    private readonly Gen<FuzzedFile> _files;

    protected ImportFuzzTests(DatabaseKind kind, int iterations)
        : base(kind)
    {
        // Here, not in the sample: a skip thrown inside the generator would be reported as a failing sample.
        TestDatabase.RequireAvailable(kind);
        _iterations = iterations;
        _store = new RecordingStore(Db.Store);
        _files = FuzzedFiles.Any;
    }

    [SkippableFact]
    public void Every_file_is_imported_row_by_row_or_refused_whole_leaving_the_database_as_it_was()
    {
        Reset();
        var baseline = Fingerprint();

        // One thread: the samples share the database, and each compares it with the baseline.
        _files.Sample(file =>
        {
            var changed = true;
            try
            {
                changed = ImportsOrRefuses(file, baseline);
            }
            finally
            {
                // Back to the baseline, also after a failure: the next sample, and the shrinking of this
                // one, must not fail for what this one left behind.
                if (changed)
                {
                    Reset();
                }
            }
        }, iter: _iterations, threads: 1, print: file => file.ToString());
    }

    /// <summary>Imports <paramref name="file"/> and checks what it did; returns whether the database may have changed.</summary>
    private bool ImportsOrRefuses(FuzzedFile file, string? baseline)
    {
        _store.Rows.Clear();
        ImportSummary summary;
        try
        {
            summary = CsvImporter.Import(file.Kind, _store, new MemoryStream(file.Content), "fuzzed.csv", ImportRules.AnyTime);
        }
        catch (ImportRejectedException e)
        {
            Assert.StartsWith("fuzzed.csv: ", e.Message, StringComparison.Ordinal);
            Assert.Null(file.ExpectedRows);
            Assert.Equal(baseline, Fingerprint());
            return false;
        }

        Assert.Equal(summary.RowsRead, summary.Imported + summary.Rejected);
        Assert.Equal(summary.Imported, _store.Rows.Count);
        Assert.Equal(Math.Min(summary.Rejected, CsvImporter.RejectionsKept), summary.FirstRejections.Count);
        var lines = PhysicalLines(file.Content);
        foreach (var rejection in summary.FirstRejections)
        {
            Assert.Equal("fuzzed.csv", rejection.FileName);
            Assert.InRange(rejection.Line, 2, lines);
            Assert.False(string.IsNullOrWhiteSpace(rejection.Reason), $"line {rejection.Line} has no reason");
        }
        // Lines only move forward through a file.
        Assert.Equal(summary.FirstRejections.Select(r => r.Line).Order(), summary.FirstRejections.Select(r => r.Line));
        if (file.ExpectedRows is { } expected)
        {
            Assert.Equal(0, summary.Rejected);
            Assert.Equal(expected, _store.Rows.Select(row => row.Canonical));
        }

        if (summary.Imported == 0)
        {
            Assert.Equal(baseline, Fingerprint());
            return false;
        }
        AssertStored(file.Kind, _store.Rows);
        return true;
    }

    /// <summary>The rows the store was handed are what the database now holds for their stores.</summary>
    private void AssertStored(ImportKind kind, IReadOnlyList<HandedRow> rows)
    {
        foreach (var store in rows.GroupBy(row => row.StoreId, StringComparer.Ordinal))
        {
            switch (kind)
            {
                case ImportKind.Status:
                    // The last row for a (store, time) wins.
                    var polls = Db.Polls(store.Key).ToHashSet(StringComparer.Ordinal);
                    foreach (var poll in store.GroupBy(row => row.Key, StringComparer.Ordinal).Select(g => g.Last()))
                    {
                        Assert.True(polls.Contains(poll.Stored), $"poll {poll.Stored} of store {store.Key} is not in the database");
                    }
                    break;
                case ImportKind.BusinessHours:
                    // The hours of a store named are replaced by those of the file, duplicates once.
                    Assert.Equal(
                        store.Select(row => row.Stored).Distinct().Order(StringComparer.Ordinal),
                        Db.Hours(store.Key).Order(StringComparer.Ordinal));
                    break;
                default:
                    Assert.Equal(store.Last().Stored, Db.TimeZone(store.Key));
                    break;
            }
        }
    }

    /// <summary>Lines of the file as the importer counts them: <c>\r\n</c>, <c>\n</c> and a lone <c>\r</c> each end one.</summary>
    private static int PhysicalLines(byte[] content)
    {
        var lines = 1;
        for (var i = 0; i < content.Length; i++)
        {
            if (content[i] == (byte)'\n' || (content[i] == (byte)'\r' && (i + 1 == content.Length || content[i + 1] != (byte)'\n')))
            {
                lines++;
            }
        }
        return lines;
    }

    /// <summary>Empties the database and imports the same few polls, hours and zones, which the fuzzed files name too.</summary>
    private void Reset()
    {
        Db.Execute("DELETE FROM poll");
        Db.Execute("DELETE FROM business_hours");
        Db.Execute("DELETE FROM store");
        CsvImporter.ImportStatus(Db.Store, new MemoryStream("""
            store_id,status,timestamp_utc
            s1,active,2024-10-14 10:00:00 UTC
            s1,inactive,2024-10-14 11:00:00 UTC
            s2,active,2024-10-15T09:30:00+02:00
            """u8.ToArray()), "base-status.csv");
        CsvImporter.ImportBusinessHours(Db.Store, new MemoryStream("""
            store_id,dayOfWeek,start_time_local,end_time_local
            s1,0,09:00,17:00
            s2,6,22:00,02:00
            """u8.ToArray()), "base-hours.csv");
        CsvImporter.ImportTimeZones(Db.Store, new MemoryStream("""
            store_id,timezone_str
            s1,Asia/Tokyo
            s3,Europe/Berlin
            """u8.ToArray()), "base-zones.csv");
    }

    /// <summary>Counts and checksums of every table an import writes, by store id rather than key, in one query.</summary>
    private string? Fingerprint() => Db.Text($"""
        SELECT CAST((SELECT count(*) FROM store) AS TEXT)
            || ' ' || CAST((SELECT coalesce(sum(length(external_id) * 31 + coalesce(length(time_zone), 0)), 0) FROM store) AS TEXT)
            || ' ' || CAST((SELECT count(*) FROM business_hours) AS TEXT)
            || ' ' || CAST((SELECT coalesce(sum(length(s.external_id) * (h.day_of_week + 1) + h.start_us % 1000003 + h.end_us % 999983), 0)
                FROM business_hours h JOIN store s ON s.store_key = h.store_key) AS TEXT)
            || ' ' || CAST((SELECT count(*) FROM poll) AS TEXT)
            || ' ' || CAST((SELECT coalesce(sum(length(s.external_id) * ({Db.Microseconds("p.observed_at")} % 1000003) + CAST(p.active AS INTEGER)), 0)
                FROM poll p JOIN store s ON s.store_key = p.store_key) AS TEXT)
        """);

    /// <summary>The real store, remembering (as <see cref="FuzzedFiles.Canonical(PollRow)"/> writes them) the rows the importer hands it.</summary>
    /// <summary>
    /// A row the importer handed the store: its store id, what identifies it within the store (a poll's
    /// time), how <see cref="TestDatabase"/> reads it back, and <see cref="FuzzedFiles.Canonical(PollRow)"/>.
    /// </summary>
    private readonly record struct HandedRow(string StoreId, string Key, string Stored, string Canonical);

    /// <summary>The real store, remembering the rows the importer hands it.</summary>
    private sealed class RecordingStore(IMonitoringStore inner) : IMonitoringStore
    {
        public List<HandedRow> Rows { get; } = [];

        public void Migrate() => inner.Migrate();

        public int WritePolls(IEnumerable<PollRow> rows, CancellationToken cancellationToken) =>
            inner.WritePolls(Recorded(rows, row => new HandedRow(row.StoreId, row.UnixMicroseconds.ToString(CultureInfo.InvariantCulture),
                string.Create(CultureInfo.InvariantCulture, $"{row.UnixMicroseconds}:{(row.Active ? 1 : 0)}"), FuzzedFiles.Canonical(row))), cancellationToken);

        public int ReplaceBusinessHours(IEnumerable<BusinessHoursRow> rows, CancellationToken cancellationToken) =>
            inner.ReplaceBusinessHours(Recorded(rows, row => new HandedRow(row.StoreId, "",
                string.Create(CultureInfo.InvariantCulture,
                    $"{row.Hours.SpecDay} {row.Hours.Start.BclCompatibleTicks / 10}-{row.Hours.End.BclCompatibleTicks / 10}"),
                FuzzedFiles.Canonical(row))), cancellationToken);

        public int UpsertTimeZones(IEnumerable<TimeZoneRow> rows, CancellationToken cancellationToken) =>
            inner.UpsertTimeZones(Recorded(rows, row => new HandedRow(row.StoreId, "", row.TimeZone, FuzzedFiles.Canonical(row))), cancellationToken);

        public void Ping() => inner.Ping();

        public void ProbeWrite(NodaTime.Instant now) => inner.ProbeWrite(now);

        public IReportSnapshot OpenSnapshot() => inner.OpenSnapshot();

        public void Dispose()
        {
        }

        private IEnumerable<T> Recorded<T>(IEnumerable<T> rows, Func<T, HandedRow> handed)
        {
            foreach (var row in rows)
            {
                Rows.Add(handed(row));
                yield return row;
            }
        }
    }
}

public sealed class ImportFuzzTests_Sqlite() : ImportFuzzTests(DatabaseKind.Sqlite, iterations: 1_200);

public sealed class ImportFuzzTests_Postgres() : ImportFuzzTests(DatabaseKind.Postgres, iterations: 250);
