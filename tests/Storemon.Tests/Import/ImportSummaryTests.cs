using System.Text;
using Storemon.Import;
using Storemon.Tests.Databases;

namespace Storemon.Tests.Import;

public abstract class ImportSummaryTests(DatabaseKind kind) : DatabaseTest(kind)
{
    [SkippableFact]
    public void Progress_is_reported_every_65536_rows_and_at_the_end_with_the_bytes_read()
    {
        var path = Db.WriteCsv("status.csv", WholeFileTests.Polls(150_000, "active"));
        var length = new FileInfo(path).Length;
        var reports = new List<ImportProgress>();

        var summary = CsvImporter.ImportStatus(Db.Store, path, new SynchronousProgress(reports.Add));

        Assert.Equal((150_000, 150_000, 0), (summary.RowsRead, summary.Imported, summary.Rejected));
        Assert.Equal([65_536, 131_072, 150_000], reports.Select(r => r.Rows));
        Assert.All(reports, r => Assert.Equal(length, r.TotalBytes));
        Assert.True(reports[0].BytesRead > 0 && reports[0].BytesRead < reports[1].BytesRead);
        Assert.Equal(length, reports[^1].BytesRead);
    }

    [SkippableFact]
    public void A_stream_of_unknown_length_reports_no_total()
    {
        var bytes = Encoding.UTF8.GetBytes(WholeFileTests.Polls(10, "active"));
        var reports = new List<ImportProgress>();
        using var input = new UnseekableStream(bytes);

        var summary = CsvImporter.ImportStatus(Db.Store, input, "upload.csv", new SynchronousProgress(reports.Add));

        Assert.Equal("upload.csv", summary.FileName);
        Assert.Equal(new ImportProgress(bytes.Length, null, 10), Assert.Single(reports));
    }

    [SkippableFact]
    public void A_summary_keeps_the_first_20_rejections_and_counts_the_rest()
    {
        var rows = string.Concat(Enumerable.Range(0, 25).Select(i => $"s{i},unknown,2023-01-22 12:00:00 UTC\n"));

        var summary = CsvImporter.ImportStatus(Db.Store, new MemoryStream(Encoding.UTF8.GetBytes("store_id,status,timestamp_utc\ns,active,2023-01-22 12:00:00 UTC\n" + rows)), "upload.csv");

        Assert.Equal((26, 1, 25), (summary.RowsRead, summary.Imported, summary.Rejected));
        Assert.Equal(Enumerable.Range(3, 20), summary.FirstRejections.Select(r => r.Line));
        Assert.All(summary.FirstRejections, r => Assert.Equal("upload.csv", r.FileName));
    }

    private sealed class UnseekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}

public sealed class ImportSummaryTests_Sqlite() : ImportSummaryTests(DatabaseKind.Sqlite);

public sealed class ImportSummaryTests_Postgres() : ImportSummaryTests(DatabaseKind.Postgres);
