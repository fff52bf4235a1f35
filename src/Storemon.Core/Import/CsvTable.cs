using System.Globalization;
using System.Text;
using Sylvan.Data.Csv;

namespace Storemon.Import;

/// <summary>A column an import needs: its name in the SPEC and other header names accepted for it.</summary>
internal sealed class CsvColumn(string name, params string[] aliases)
{
    public string Name { get; } = name;

    public bool Matches(string header) =>
        header.Equals(Name, StringComparison.OrdinalIgnoreCase) || aliases.Any(alias => header.Equals(alias, StringComparison.OrdinalIgnoreCase));
}

/// <summary>
/// The data rows of one CSV file, as an import reads them: the required columns found by header name,
/// each row with the physical line it starts on, progress reported as it goes.
/// </summary>
/// <remarks>
/// Line numbers are counted from the raw text of each record, so a quoted field that spans lines
/// does not shift the numbers of the rows after it. Empty lines (a trailing blank line left by an
/// editor, say) are skipped without counting as rows. A row longer than <see cref="MaxRowLength"/>
/// is handed out as <see cref="TooLong"/>, without its fields, and reading goes on after it. A file
/// the CSV reader cannot get past (an unterminated quote, for one) is refused whole: the rows after
/// the fault cannot be trusted.
/// </remarks>
internal sealed class CsvTable : IDisposable
{
    /// <summary>Progress is reported every this many rows: often enough for a progress bar, too rarely to cost anything.</summary>
    private const int ProgressInterval = 1 << 16;

    /// <summary>
    /// The most characters a row may have, its line break not counted. Real rows have fewer than 100;
    /// the CSV reader needs a whole row in its buffer, and a longer one is a rejected row.
    /// </summary>
    public const int MaxRowLength = 1 << 16;

    /// <summary>The CSV reader's buffer: a row of <see cref="MaxRowLength"/> and its <c>\r\n</c>.</summary>
    private const int BufferLength = MaxRowLength + 2;

    private const int MaxQuotedLength = 60;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ResumableText _text;
    private readonly ByteCountingStream _input;
    private readonly char[] _buffer;
    private readonly int[] _ordinals;
    private readonly long? _totalBytes;
    private readonly IProgress<ImportProgress>? _progress;
    private readonly CancellationToken _cancellationToken;
    // Null after a row too long for the reader, which cannot go on after one; a new reader takes over
    // from the row after it.
    private CsvDataReader? _reader;
    private int _nextLine;
    private bool _endedWithCarriageReturn;

    private CsvTable(
        string fileName, CsvDataReader reader, ResumableText text, char[] buffer, ByteCountingStream input, int[] ordinals, int headerLines,
        long? totalBytes, IProgress<ImportProgress>? progress, CancellationToken cancellationToken)
    {
        FileName = fileName;
        _reader = reader;
        _text = text;
        _buffer = buffer;
        _input = input;
        _ordinals = ordinals;
        HeaderFieldCount = reader.FieldCount;
        _nextLine = 1 + headerLines;
        _totalBytes = totalBytes;
        _progress = progress;
        _cancellationToken = cancellationToken;
    }

    public string FileName { get; }

    /// <summary>The physical line (1-based, the header being line 1) on which the current row starts.</summary>
    public int Line { get; private set; }

    /// <summary>Data rows read so far, empty lines not counted.</summary>
    public int RowsRead { get; private set; }

    /// <summary>The number of fields in the header; a row with another number is malformed.</summary>
    public int HeaderFieldCount { get; }

    /// <summary>Whether the current row is longer than <see cref="MaxRowLength"/>; such a row has no fields to read.</summary>
    public bool TooLong { get; private set; }

    public int RowFieldCount => TooLong ? 0 : _reader!.RowFieldCount;

    /// <summary>Reads the header and finds the <paramref name="columns"/> in it, or refuses the file.</summary>
    /// <exception cref="ImportRejectedException">The file is empty or its header lacks a required column.</exception>
    public static CsvTable Open(
        Stream stream, string fileName, IReadOnlyList<CsvColumn> columns,
        IProgress<ImportProgress>? progress, CancellationToken cancellationToken)
    {
        var totalBytes = stream.CanSeek ? stream.Length - stream.Position : (long?)null;
        var input = new ByteCountingStream(stream);
        // Strict UTF-8: text in another encoding would otherwise import with its store ids silently mangled.
        var text = new ResumableText(new StreamReader(input, StrictUtf8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16, leaveOpen: true));
        var buffer = new char[BufferLength];
        CsvDataReader? reader = null;
        string[] headers;
        int headerLines;
        bool headerEndedWithCarriageReturn;
        try
        {
            // The header is read as the first row: the reader, told of a header, would read the first
            // data row with it, and a row too long there would refuse the file.
            reader = CreateReader(text, buffer);
            if (!reader.Read())
            {
                reader.Dispose();
                text.Dispose();
                throw new ImportRejectedException(fileName, $"the file is empty; it needs a header row with {string.Join(", ", columns.Select(c => c.Name))}.");
            }
            headers = [.. Enumerable.Range(0, reader.RowFieldCount).Select(i => reader.GetString(i).Trim())];
            var raw = reader.GetRawRecordSpan();
            headerLines = LineBreaks(raw);
            headerEndedWithCarriageReturn = raw.EndsWith('\r');
        }
        catch (Exception e) when (e is CsvFormatException or DecoderFallbackException)
        {
            reader?.Dispose();
            text.Dispose();
            throw e switch
            {
                CsvRecordTooLargeException => new ImportRejectedException(fileName,
                    $"the header row is longer than {MaxRowLengthText} characters, the most a row may have; nothing was imported.", e),
                DecoderFallbackException notUtf8 => NotUtf8(fileName, 1, notUtf8),
                _ => new ImportRejectedException(fileName, $"the header row cannot be read as CSV ({e.Message}); nothing was imported.", e),
            };
        }

        var ordinals = new int[columns.Count];
        var missing = new List<string>();
        for (var c = 0; c < columns.Count; c++)
        {
            var column = columns[c];
            var found = Enumerable.Range(0, headers.Length).Where(i => column.Matches(headers[i])).ToArray();
            if (found.Length == 0)
            {
                missing.Add(column.Name);
            }
            else if (found.Length > 1)
            {
                reader.Dispose();
                text.Dispose();
                throw new ImportRejectedException(fileName,
                    $"the header names the column {column.Name} more than once ({string.Join(", ", found.Select(i => headers[i]))}), so which one to read is unclear.");
            }
            else
            {
                ordinals[c] = found[0];
            }
        }
        if (missing.Count > 0)
        {
            reader.Dispose();
            text.Dispose();
            throw new ImportRejectedException(fileName,
                $"the header lacks the required column{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing)} (it has: {string.Join(", ", headers)}); nothing was imported.");
        }

        return new CsvTable(fileName, reader, text, buffer, input, ordinals, headerLines, totalBytes, progress, cancellationToken)
        {
            _endedWithCarriageReturn = headerEndedWithCarriageReturn,
        };
    }

    /// <summary><see cref="MaxRowLength"/> as messages write it.</summary>
    public static string MaxRowLengthText { get; } = MaxRowLength.ToString("N0", CultureInfo.InvariantCulture);

    // The reader fills the buffer given and never grows it, so a row too long leaves its start there.
    private static CsvDataReader CreateReader(ResumableText text, char[] buffer) =>
        CsvDataReader.Create(text, buffer, new CsvDataReaderOptions
        {
            HasHeaders = false,
            Delimiter = ',',
            // No comment lines: a row whose store id starts with '#' is data like any other.
            Comment = '\0',
            BufferSize = BufferLength,
            MaxBufferSize = BufferLength,
            OwnsReader = false,
        });

    /// <summary>Moves to the next data row; false at the end of the file.</summary>
    /// <exception cref="ImportRejectedException">The CSV cannot be read past this point.</exception>
    /// <exception cref="OperationCanceledException">The import was cancelled.</exception>
    public bool Read()
    {
        while (true)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            bool more;
            try
            {
                // After a row too long, the rows go on with a reader of their own.
                more = (_reader ??= CreateReader(_text, _buffer)).Read();
            }
            catch (CsvRecordTooLargeException)
            {
                SkipTooLongRow();
                return NextRow(tooLong: true);
            }
            catch (CsvFormatException e)
            {
                throw new ImportRejectedException(FileName, $"line {_nextLine} and after cannot be read as CSV ({e.Message}); nothing was imported.", e);
            }
            catch (DecoderFallbackException e)
            {
                throw NotUtf8(FileName, _nextLine, e);
            }
            if (!more)
            {
                ReportProgress();
                return false;
            }

            var raw = _reader.GetRawRecordSpan();
            Line = _nextLine;
            _nextLine += LineBreaks(raw);
            // The reader sometimes ends a record at the \r of a \r\n and hands the \n over as an empty
            // record of its own: one line break, not two.
            if (_endedWithCarriageReturn && raw.StartsWith('\n'))
            {
                _nextLine--;
            }
            _endedWithCarriageReturn = raw.EndsWith('\r');
            if (raw.TrimEnd("\r\n").IsEmpty)
            {
                continue;
            }
            // The buffer holds a row and its line break; one that fills it may still be a character or two too long.
            return NextRow(tooLong: raw.Length > MaxRowLength && raw.TrimEnd("\r\n").Length > MaxRowLength);
        }
    }

    private bool NextRow(bool tooLong)
    {
        TooLong = tooLong;
        RowsRead++;
        if (RowsRead % ProgressInterval == 0)
        {
            ReportProgress();
        }
        return true;
    }

    /// <summary>
    /// Passes over the row the reader found too long: its start is in the reader's buffer, the rest is
    /// read here up to the line break that ends it, and what follows goes back to be read by a new reader.
    /// </summary>
    private void SkipTooLongRow()
    {
        // Null when the row was the first a new reader read.
        _reader?.Dispose();
        _reader = null;
        Line = _nextLine;
        var row = new RowEnd();
        var chunk = _buffer.AsSpan();
        int end;
        while ((end = row.Find(chunk, atEndOfText: chunk.IsEmpty)) < 0)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            chunk = _buffer.AsSpan(0, ReadChunk());
        }
        if (row.InQuotes)
        {
            throw new ImportRejectedException(FileName,
                $"line {Line} and after cannot be read as CSV (a quoted field is not closed before the end of the file); nothing was imported.");
        }
        _text.PutBack(chunk[end..]);
        _nextLine += row.LineBreaks;
        _endedWithCarriageReturn = false;
    }

    private int ReadChunk()
    {
        try
        {
            return _text.ReadBlock(_buffer, 0, _buffer.Length);
        }
        catch (DecoderFallbackException e)
        {
            throw NotUtf8(FileName, Line, e);
        }
    }

    /// <summary>The value of required column <paramref name="column"/> (its index in the importer's column list), trimmed.</summary>
    public ReadOnlySpan<char> Field(int column) => _reader!.GetFieldSpan(_ordinals[column]).Trim();

    /// <summary>A field's value for a message: quoted, and shortened when long.</summary>
    public static string Quote(ReadOnlySpan<char> value) =>
        value.Length <= MaxQuotedLength ? $"\"{value}\"" : $"\"{value[..MaxQuotedLength]}…\"";

    private void ReportProgress() => _progress?.Report(new ImportProgress(_input.BytesRead, _totalBytes, RowsRead));

    public void Dispose()
    {
        _reader?.Dispose();
        _text.Dispose();
    }

    // Text is decoded ahead of the rows handed out, so the fault is somewhere from this line on.
    private static ImportRejectedException NotUtf8(string fileName, int line, DecoderFallbackException e) =>
        new(fileName, $"the text from line {line} on is not valid UTF-8 ({e.Message}); nothing was imported.", e);

    /// <summary>Line breaks in a record's raw text: <c>\r\n</c>, <c>\n</c> and a lone <c>\r</c> each count once.</summary>
    private static int LineBreaks(ReadOnlySpan<char> raw)
    {
        var breaks = raw.Count('\n');
        if (raw.Contains('\r'))
        {
            breaks += raw.Count('\r') - raw.Count("\r\n");
        }
        return breaks;
    }

    /// <summary>
    /// Finds where a CSV row ends, as the CSV reader reads one: a field that starts with a quote runs
    /// to the quote that is not doubled, line breaks and commas in it included; a quote elsewhere is
    /// text; the row ends at the first <c>\r\n</c>, <c>\n</c> or lone <c>\r</c> outside quotes.
    /// </summary>
    private struct RowEnd
    {
        private State _state;
        private char _previous;

        private enum State
        {
            FieldStart,
            Unquoted,
            Quoted,
            QuoteInQuoted,
            CarriageReturn,
        }

        /// <summary>Line breaks passed so far, the one ending the row included.</summary>
        public int LineBreaks { get; private set; }

        /// <summary>Whether the text ended inside a quoted field.</summary>
        public readonly bool InQuotes => _state == State.Quoted;

        /// <summary>
        /// Reads on through <paramref name="chunk"/>, the text after the previous one; returns the
        /// index just past the row's end, or -1 if the row goes on.
        /// </summary>
        public int Find(ReadOnlySpan<char> chunk, bool atEndOfText)
        {
            if (atEndOfText)
            {
                return 0;
            }
            for (var i = 0; i < chunk.Length; _previous = chunk[i++])
            {
                var c = chunk[i];
                switch (_state)
                {
                    case State.CarriageReturn:
                        return c == '\n' ? i + 1 : i;
                    case State.Quoted:
                        if (c == '"')
                        {
                            _state = State.QuoteInQuoted;
                        }
                        else if (c == '\n' || c == '\r')
                        {
                            // \r\n counts once: its \n follows a \r.
                            LineBreaks += c == '\n' && _previous == '\r' ? 0 : 1;
                        }
                        break;
                    case State.QuoteInQuoted when c == '"':
                        _state = State.Quoted;
                        break;
                    default:
                        if (c == '\n')
                        {
                            LineBreaks++;
                            return i + 1;
                        }
                        if (c == '\r')
                        {
                            LineBreaks++;
                            _state = State.CarriageReturn;
                        }
                        else if (c == ',')
                        {
                            _state = State.FieldStart;
                        }
                        else
                        {
                            _state = c == '"' && _state == State.FieldStart ? State.Quoted : State.Unquoted;
                        }
                        break;
                }
            }
            return -1;
        }
    }

    /// <summary>The decoded text, into which characters read too far can be put back to be read again.</summary>
    private sealed class ResumableText(TextReader inner) : TextReader
    {
        private char[] _putBack = [];
        private int _next;
        private int _end;

        /// <summary>Puts <paramref name="text"/> back before whatever is still to be read.</summary>
        public void PutBack(ReadOnlySpan<char> text)
        {
            var unread = _putBack.AsSpan(_next, _end - _next);
            var putBack = new char[text.Length + unread.Length];
            text.CopyTo(putBack);
            unread.CopyTo(putBack.AsSpan(text.Length));
            (_putBack, _next, _end) = (putBack, 0, putBack.Length);
        }

        public override int Peek() => _next < _end ? _putBack[_next] : inner.Peek();

        public override int Read() => _next < _end ? _putBack[_next++] : inner.Read();

        public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

        public override int Read(Span<char> buffer)
        {
            if (_next == _end)
            {
                return inner.Read(buffer);
            }
            var count = Math.Min(buffer.Length, _end - _next);
            _putBack.AsSpan(_next, count).CopyTo(buffer);
            _next += count;
            return count;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
            base.Dispose(disposing);
        }
    }

    /// <summary>Counts the bytes the reader has pulled from the input, for progress.</summary>
    private sealed class ByteCountingStream(Stream inner) : Stream
    {
        public long BytesRead { get; private set; }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var read = inner.Read(buffer);
            BytesRead += read;
            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
