using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Storemon.Import;
using Storemon.Tests.Databases;

namespace Storemon.Tests.Import;

/// <summary>Files refused or failing as a whole leave the database exactly as it was.</summary>
public abstract class WholeFileTests : DatabaseTest
{
    protected WholeFileTests(DatabaseKind kind)
        : base(kind)
    {
        // Something to lose: polls, hours and zones that the failing files would change.
        CsvImporter.ImportStatus(Db.Store, Db.WriteCsv("before.csv", Polls(1_000, "active")));
        CsvImporter.ImportBusinessHours(Db.Store, Db.WriteCsv("hours.csv", """
            store_id,dayOfWeek,start_time_local,end_time_local
            store-1,0,09:00,17:00
            """));
        CsvImporter.ImportTimeZones(Db.Store, Db.WriteCsv("zones.csv", """
            store_id,timezone_str
            store-1,Asia/Tokyo
            """));
    }

    [SkippableFact]
    public void A_header_lacking_a_required_column_rejects_the_whole_file_by_name()
    {
        var path = Db.WriteCsv("no-timestamp.csv", """
            store_id,status,time
            store-1,inactive,2023-01-22 12:00:00 UTC
            """);

        var error = FailsLeavingDatabaseUnchanged<ImportRejectedException>(() => CsvImporter.ImportStatus(Db.Store, path));

        Assert.Equal(
            $"{path}: the header lacks the required column timestamp_utc (it has: store_id, status, time); nothing was imported.",
            error.Message);
        Assert.Equal(path, error.FileName);
    }

    [SkippableFact]
    public void Every_missing_column_is_named()
    {
        var path = Db.WriteCsv("hours.csv", "store_id,weekday,start_time_local\nstore-1,1,09:00\n");

        var error = FailsLeavingDatabaseUnchanged<ImportRejectedException>(() => CsvImporter.ImportBusinessHours(Db.Store, path));

        Assert.Contains("the header lacks the required columns dayOfWeek, end_time_local", error.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void A_column_named_twice_rejects_the_whole_file()
    {
        var path = Db.WriteCsv("hours.csv", "store_id,day,dayOfWeek,start_time_local,end_time_local\nstore-1,1,1,09:00,10:00\n");

        var error = FailsLeavingDatabaseUnchanged<ImportRejectedException>(() => CsvImporter.ImportBusinessHours(Db.Store, path));

        Assert.Equal($"{path}: the header names the column dayOfWeek more than once (day, dayOfWeek), so which one to read is unclear.", error.Message);
    }

    [SkippableFact]
    public void An_empty_file_is_rejected_as_having_no_header()
    {
        var path = Db.WriteCsv("empty.csv", "");

        var error = FailsLeavingDatabaseUnchanged<ImportRejectedException>(() => CsvImporter.ImportTimeZones(Db.Store, path));

        Assert.Equal($"{path}: the file is empty; it needs a header row with store_id, timezone_str.", error.Message);
    }

    [SkippableFact]
    public void A_header_that_is_not_CSV_rejects_the_whole_file()
    {
        var path = Db.WriteCsv("bad-header.csv", "store_id,\"status,timestamp_utc\nstore-1,active,2023-01-22 12:00:00 UTC\n");

        var error = FailsLeavingDatabaseUnchanged<ImportRejectedException>(() => CsvImporter.ImportStatus(Db.Store, path));

        Assert.StartsWith($"{path}: the header row cannot be read as CSV (", error.Message, StringComparison.Ordinal);
    }

    [SkippableTheory]
    [InlineData("store_id,status,timestamp_utc")]
    [InlineData("store_id,status,timestamp_utc\r\n")]
    [InlineData("\uFEFFstore_id,status,timestamp_utc\n\n")]
    public void A_file_with_only_a_header_imports_nothing_and_succeeds(string text)
    {
        var before = Db.Dump();

        var summary = CsvImporter.ImportStatus(Db.Store, Db.WriteCsv("header.csv", text));

        Assert.Equal((0, 0, 0), (summary.RowsRead, summary.Imported, summary.Rejected));
        Assert.Equal(before, Db.Dump());
    }

    [SkippableFact]
    public void A_file_whose_input_fails_half_way_leaves_the_database_exactly_as_it_was()
    {
        // 20,000 rows (about 900 kB) that would flip every stored poll and add more; the input breaks
        // after 400 kB, long after the first rows have reached the store.
        using var input = new FailingStream(Encoding.UTF8.GetBytes(Polls(20_000, "inactive")), failAfter: 400_000);

        var error = FailsLeavingDatabaseUnchanged<IOException>(() => CsvImporter.ImportStatus(Db.Store, input, "upload.csv"));

        Assert.Equal("The connection was reset.", error.Message);
        Assert.True(input.Position >= 400_000);
        Assert.Equal(1_000, Db.ActivePolls());
    }

    [SkippableFact]
    public void A_cancelled_import_leaves_the_database_exactly_as_it_was()
    {
        var path = Db.WriteCsv("big.csv", Polls(100_000, "inactive"));
        using var cancellation = new CancellationTokenSource();
        // Cancelled at the first progress report, after 65,536 rows have gone to the store.
        var progress = new SynchronousProgress(_ => cancellation.Cancel());

        FailsLeavingDatabaseUnchanged<OperationCanceledException>(() => CsvImporter.ImportStatus(Db.Store, path, progress, cancellation.Token));
    }

    [SkippableFact]
    public void A_file_that_stops_being_CSV_half_way_is_rejected_whole()
    {
        var path = Db.WriteCsv("broken.csv", Polls(500, "inactive") + "\"store-1,active,2023-01-22 12:00:00 UTC\n" + Polls(10, "inactive"));

        var error = FailsLeavingDatabaseUnchanged<ImportRejectedException>(() => CsvImporter.ImportStatus(Db.Store, path));

        Assert.StartsWith($"{path}: line 502 and after cannot be read as CSV (", error.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void A_file_that_is_not_UTF_8_is_rejected_whole_rather_than_imported_with_mangled_ids()
    {
        // "Café-7" in Latin-1, 5,000 rows (240 kB) into the file: the é is the single byte 0xE9, which
        // UTF-8 never allows before a '-'.
        byte[] latin1 = [.. Encoding.UTF8.GetBytes(Polls(5_000, "inactive") + "Caf"), 0xE9, .. Encoding.UTF8.GetBytes("-7,active,2023-01-22 12:00:00 UTC\n")];
        var path = Db.WriteCsv("latin1.csv", latin1);

        var error = FailsLeavingDatabaseUnchanged<ImportRejectedException>(() => CsvImporter.ImportStatus(Db.Store, path));

        var match = Regex.Match(error.Message, @"^(.*): the text from line (\d+) on is not valid UTF-8 \(.*\); nothing was imported\.$");
        Assert.True(match.Success, error.Message);
        Assert.Equal(path, match.Groups[1].Value);
        // Found while reading rows, after some had gone to the store, and at or before the bad line.
        Assert.InRange(int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture), 2, 5_002);
    }

    [SkippableFact]
    public void A_missing_file_is_reported_as_such()
    {
        var path = Path.Combine(Path.GetTempPath(), "storemon-no-such-file.csv");

        Assert.Throws<FileNotFoundException>(() => CsvImporter.ImportStatus(Db.Store, path));
    }

    private TException FailsLeavingDatabaseUnchanged<TException>(Func<ImportSummary> import)
        where TException : Exception
    {
        var before = Db.Dump();
        var error = Assert.ThrowsAny<TException>(() => import());
        Assert.Equal(before, Db.Dump());
        return error;
    }

    /// <summary>A status file of <paramref name="rows"/> polls of 100 stores, one a minute from 2023-01-22 00:00 UTC.</summary>
    internal static string Polls(int rows, string status)
    {
        var text = new StringBuilder("store_id,status,timestamp_utc\n");
        var start = new DateTime(2023, 1, 22, 0, 0, 0, DateTimeKind.Utc);
        for (var i = 0; i < rows; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"store-{i % 100},{status},{start.AddMinutes(i):yyyy-MM-dd HH:mm:ss.ffffff} UTC\n");
        }
        return text.ToString();
    }

    /// <summary>Reads <paramref name="data"/> and throws as a dropped connection would once <paramref name="failAfter"/> bytes are read.</summary>
    private sealed class FailingStream(byte[] data, int failAfter) : MemoryStream(data)
    {
        public override int Read(Span<byte> buffer) =>
            Position >= failAfter ? throw new IOException("The connection was reset.") : base.Read(buffer);

        public override int Read(byte[] buffer, int offset, int count) =>
            Position >= failAfter ? throw new IOException("The connection was reset.") : base.Read(buffer, offset, count);
    }
}

public sealed class WholeFileTests_Sqlite() : WholeFileTests(DatabaseKind.Sqlite);

public sealed class WholeFileTests_Postgres() : WholeFileTests(DatabaseKind.Postgres);

/// <summary>Reports progress on the importing thread, unlike <see cref="Progress{T}"/>.</summary>
internal sealed class SynchronousProgress(Action<ImportProgress> report) : IProgress<ImportProgress>
{
    public void Report(ImportProgress value) => report(value);
}
