using System.Globalization;
using System.Text;

namespace Storemon.Import;

/// <summary>The three CSV kinds of the SPEC.</summary>
public enum ImportKind
{
    Status,
    BusinessHours,
    TimeZones,
}

/// <summary>One rejected row: where it is (the physical line, the header being line 1) and why.</summary>
public sealed record ImportRejection(string FileName, int Line, string Reason)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{FileName}:{Line}: {Reason}");
}

/// <summary>Progress of a running import: bytes consumed of the input (and its size, when known) and data rows so far.</summary>
public readonly record struct ImportProgress(long BytesRead, long? TotalBytes, int Rows);

/// <summary>
/// What an import did: every data row read was either imported or rejected. Only the first
/// <see cref="CsvImporter.RejectionsKept"/> rejections are kept, the count covers all of them.
/// </summary>
public sealed record ImportSummary(
    string FileName, ImportKind Kind, int RowsRead, int Imported, int Rejected, IReadOnlyList<ImportRejection> FirstRejections)
{
    /// <summary>A few lines for a person: the counts, then the rejections kept, then how many more there were.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"{FileName} ({KindName(Kind)}): {RowsRead:N0} rows read, {Imported:N0} imported, {Rejected:N0} rejected");
        foreach (var rejection in FirstRejections)
        {
            text.Append('\n').Append("  ").Append(rejection.ToString());
        }
        if (Rejected > FirstRejections.Count)
        {
            text.Append('\n').Append(CultureInfo.InvariantCulture, $"  … and {Rejected - FirstRejections.Count:N0} more rejected rows");
        }
        return text.ToString();
    }

    /// <summary>The kind as a person says it: status polls, business hours, time zones.</summary>
    public static string KindName(ImportKind kind) => kind switch
    {
        ImportKind.Status => "status polls",
        ImportKind.BusinessHours => "business hours",
        ImportKind.TimeZones => "time zones",
        _ => kind.ToString(),
    };
}
