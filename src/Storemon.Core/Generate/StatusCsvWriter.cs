namespace Storemon.Generate;

/// <summary>
/// Writes status polls in the public file's format: header <c>store_id,status,timestamp_utc</c>,
/// timestamps like <c>2023-01-22 12:09:39.388884 UTC</c>.
/// </summary>
/// <remarks>
/// The public file dropped the trailing zeros of the fraction (2 to 6 digits, none for a whole
/// second), and so does this writer, so that imports of generated data meet the same shapes. Rows are
/// formatted digit by digit into a span: the generator writes millions of them, and a format string
/// per row would cost more than everything else together.
/// </remarks>
internal sealed class StatusCsvWriter
{
    public const string Header = "store_id,status,timestamp_utc";

    private const long MicrosPerSecond = 1_000_000;
    private const long MicrosPerDay = 86_400 * MicrosPerSecond;

    private readonly TextWriter _writer;
    private readonly string[] _storeIds;

    /// <param name="storeIds">Store ids by store position, already quoted where CSV needs it.</param>
    public StatusCsvWriter(TextWriter writer, string[] storeIds)
    {
        _writer = writer;
        _storeIds = storeIds;
        writer.Write(Header);
        writer.Write('\n');
    }

    public void Write(ScheduledPoll poll)
    {
        Span<char> rest = stackalloc char[48];
        var length = 0;
        Append(rest, ref length, poll.Active ? ",active," : ",inactive,");
        length += FormatTimestamp(poll.UnixMicroseconds, rest[length..]);
        rest[length++] = '\n';
        _writer.Write(_storeIds[poll.Store]);
        _writer.Write(rest[..length]);
    }

    /// <summary>Writes a non-negative Unix time in microseconds as <c>yyyy-MM-dd HH:mm:ss[.f…] UTC</c>; returns the characters written.</summary>
    internal static int FormatTimestamp(long unixMicroseconds, Span<char> destination)
    {
        var date = DateOnly.FromDayNumber(DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber + (int)(unixMicroseconds / MicrosPerDay));
        var ofDay = unixMicroseconds % MicrosPerDay;
        var seconds = (int)(ofDay / MicrosPerSecond);
        var fraction = (int)(ofDay % MicrosPerSecond);

        var length = 0;
        Digits(destination, ref length, date.Year, 4);
        destination[length++] = '-';
        Digits(destination, ref length, date.Month, 2);
        destination[length++] = '-';
        Digits(destination, ref length, date.Day, 2);
        destination[length++] = ' ';
        Digits(destination, ref length, seconds / 3600, 2);
        destination[length++] = ':';
        Digits(destination, ref length, seconds / 60 % 60, 2);
        destination[length++] = ':';
        Digits(destination, ref length, seconds % 60, 2);
        if (fraction != 0)
        {
            var digits = 6;
            while (fraction % 10 == 0)
            {
                fraction /= 10;
                digits--;
            }
            destination[length++] = '.';
            Digits(destination, ref length, fraction, digits);
        }
        Append(destination, ref length, " UTC");
        return length;
    }

    private static void Digits(Span<char> destination, ref int length, int value, int count)
    {
        for (var i = count - 1; i >= 0; i--)
        {
            destination[length + i] = (char)('0' + (value % 10));
            value /= 10;
        }
        length += count;
    }

    private static void Append(Span<char> destination, ref int length, string text)
    {
        text.CopyTo(destination[length..]);
        length += text.Length;
    }
}
