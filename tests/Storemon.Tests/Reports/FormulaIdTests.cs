using NodaTime;
using Storemon.Import;
using Storemon.Reports;
using Storemon.Tests.Databases;

namespace Storemon.Tests.Reports;

/// <summary>Store ids that a spreadsheet would run as a formula reach the report CSV as text.</summary>
public abstract class FormulaIdTests(DatabaseKind kind) : DatabaseTest(kind)
{
    [SkippableFact]
    public void An_id_that_starts_like_a_formula_is_written_after_an_apostrophe_and_every_other_id_as_it_is()
    {
        var path = Db.WriteCsv("status.csv", """
            store_id,status,timestamp_utc
            "=HYPERLINK(""http://example.com"",""x"")",active,2023-01-25 17:30:00 UTC
            -42,active,2023-01-25 17:30:00 UTC
            +1,active,2023-01-25 17:30:00 UTC
            @SUM(A1),active,2023-01-25 17:30:00 UTC
            a=b,active,2023-01-25 17:30:00 UTC
            '=x,active,2023-01-25 17:30:00 UTC
            """);
        Assert.Equal(6, CsvImporter.ImportStatus(Db.Store, path).Imported);
        using var csv = new StringWriter();

        ReportRunner.Run(Db.Store, new ReportRequest(Instant.FromUtc(2023, 1, 25, 18, 0)), csv);

        const string Up = ",60.00,24.00,168.00,0.00,0.00,0.00\n";
        Assert.Equal(
            ReportCsv.Header + "\n" +
            "'=x" + Up +
            "'+1" + Up +
            "'-42" + Up +
            "\"'=HYPERLINK(\"\"http://example.com\"\",\"\"x\"\")\"" + Up +
            "'@SUM(A1)" + Up +
            "a=b" + Up,
            csv.ToString());
    }
}

public sealed class FormulaIdTests_Sqlite() : FormulaIdTests(DatabaseKind.Sqlite);

public sealed class FormulaIdTests_Postgres() : FormulaIdTests(DatabaseKind.Postgres);
