namespace Storemon;

/// <summary>CSV fields as RFC 4180 writes them: quoted only when they hold a comma, quote or line break.</summary>
internal static class CsvText
{
    public static string Field(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    public static void WriteRow(TextWriter writer, params ReadOnlySpan<string> fields)
    {
        for (var i = 0; i < fields.Length; i++)
        {
            if (i > 0)
            {
                writer.Write(',');
            }
            writer.Write(Field(fields[i]));
        }
        writer.Write('\n');
    }
}
