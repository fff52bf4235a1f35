using System.Globalization;
using System.Text;

namespace Storemon.Import;

/// <summary>
/// What a store id may be, wherever it arrives (any CSV kind, a JSON poll): not empty, printable,
/// valid Unicode, and short enough to be a key of both databases' indexes.
/// </summary>
/// <remarks>
/// Real ids are 19-digit numbers or UUIDs. A control character (NUL, a tab, an escape) in one is a
/// broken client, and it would be stored, compared and written back into every report unseen; a lone
/// surrogate cannot be stored as text by PostgreSQL at all; and PostgreSQL refuses an index entry
/// longer than about 2.7 kB, which would fail the whole import instead of the one row.
/// </remarks>
public static class StoreIds
{
    /// <summary>The longest store id kept, in characters.</summary>
    public const int MaxLength = 256;

    /// <summary>Why <paramref name="id"/> (already trimmed) cannot be a store id, or null when it can.</summary>
    public static string? Problem(ReadOnlySpan<char> id)
    {
        if (id.IsEmpty)
        {
            return "store_id is empty.";
        }
        if (id.Length > MaxLength)
        {
            return string.Create(CultureInfo.InvariantCulture, $"store_id is {id.Length} characters long; a store id has at most {MaxLength}.");
        }
        for (var i = 0; i < id.Length; i++)
        {
            var c = id[i];
            if (char.IsControl(c))
            {
                return string.Create(CultureInfo.InvariantCulture,
                    $"store_id {CsvTable.Quote(Printable(id))} holds the control character U+{(int)c:X4} at position {i + 1}; a store id is printable text.");
            }
        }
        if (!IsValidUnicode(id))
        {
            return $"store_id {CsvTable.Quote(Printable(id))} is not valid Unicode (it holds half of a surrogate pair).";
        }
        return null;
    }

    private static bool IsValidUnicode(ReadOnlySpan<char> text)
    {
        while (!text.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(text, out _, out var used) != System.Buffers.OperationStatus.Done)
            {
                return false;
            }
            text = text[used..];
        }
        return true;
    }

    /// <summary>The id as a message can show it: each control character or lone surrogate as <c>\uXXXX</c>.</summary>
    private static string Printable(ReadOnlySpan<char> id)
    {
        var text = new StringBuilder(id.Length + 8);
        foreach (var c in id)
        {
            if (char.IsControl(c) || char.IsSurrogate(c))
            {
                text.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
            else
            {
                text.Append(c);
            }
        }
        return text.ToString();
    }
}
