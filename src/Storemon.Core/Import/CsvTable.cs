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
/// editor, say) are skipped without counting as rows. A file the CSV reader cannot get past (an
/// unterminated quote, for one) is refused whole: the rows after the fault cannot be trusted.
/// </remarks>
internal sealed class CsvTable : IDisposable
{
    /// <summary>Progress is reported every this many rows: often enough for a progress bar, too rarely to cost anything.</summary>
    private const int ProgressInterval = 1 << 16;

    private const int MaxQuotedLength = 60;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly CsvDataReader _reader;
    private readonly ByteCountingStream _input;
    private readonly int[] _ordinals;
    private readonly long? _totalBytes;
    private readonly IProgress<ImportProgress>? _progress;
    private readonly CancellationToken _cancellationToken;
    private int _nextLine;
    private bool _endedWithCarriageReturn;

    private CsvTable(
        string fileName, CsvDataReader reader, ByteCountingStream input, int[] ordinals, int headerLines, long? totalBytes,
        IProgress<ImportProgress>? progress, CancellationToken cancellationToken)
    {
        FileName = fileName;
        _reader = reader;
        _input = input;
        _ordinals = ordinals;
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
    public int HeaderFieldCount => _reader.FieldCount;

    public int RowFieldCount => _reader.RowFieldCount;

    /// <summary>Reads the header and finds the <paramref name="columns"/> in it, or refuses the file.</summary>
    /// <exception cref="ImportRejectedException">The file is empty or its header lacks a required column.</exception>
    public static CsvTable Open(
        Stream stream, string fileName, IReadOnlyList<CsvColumn> columns,
        IProgress<ImportProgress>? progress, CancellationToken cancellationToken)
    {
        var totalBytes = stream.CanSeek ? stream.Length - stream.Position : (long?)null;
        var input = new ByteCountingStream(stream);
        // Strict UTF-8: text in another encoding would otherwise import with its store ids silently mangled.
        var text = new StreamReader(input, StrictUtf8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16, leaveOpen: true);
        CsvDataReader reader;
        try
        {
            reader = CsvDataReader.Create(text, new CsvDataReaderOptions
            {
                HasHeaders = true,
                Delimiter = ',',
                // No comment lines: a row whose store id starts with '#' is data like any other.
                Comment = '\0',
                OwnsReader = true,
            });
        }
        catch (Exception e) when (e is CsvFormatException or DecoderFallbackException)
        {
            text.Dispose();
            throw e switch
            {
                CsvMissingHeadersException => new ImportRejectedException(fileName,
                    $"the file is empty; it needs a header row with {string.Join(", ", columns.Select(c => c.Name))}.", e),
                DecoderFallbackException notUtf8 => NotUtf8(fileName, 1, notUtf8),
                _ => new ImportRejectedException(fileName, $"the header row cannot be read as CSV ({e.Message}); nothing was imported.", e),
            };
        }

        var headers = Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetName(i).Trim()).ToArray();
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
            throw new ImportRejectedException(fileName,
                $"the header lacks the required column{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing)} (it has: {string.Join(", ", headers)}); nothing was imported.");
        }

        var headerLines = headers.Sum(header => LineBreaks(header)) + 1;
        return new CsvTable(fileName, reader, input, ordinals, headerLines, totalBytes, progress, cancellationToken);
    }

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
                more = _reader.Read();
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
            RowsRead++;
            if (RowsRead % ProgressInterval == 0)
            {
                ReportProgress();
            }
            return true;
        }
    }

    /// <summary>The value of required column <paramref name="column"/> (its index in the importer's column list), trimmed.</summary>
    public ReadOnlySpan<char> Field(int column) => _reader.GetFieldSpan(_ordinals[column]).Trim();

    /// <summary>A field's value for a message: quoted, and shortened when long.</summary>
    public static string Quote(ReadOnlySpan<char> value) =>
        value.Length <= MaxQuotedLength ? $"\"{value}\"" : $"\"{value[..MaxQuotedLength]}…\"";

    private void ReportProgress() => _progress?.Report(new ImportProgress(_input.BytesRead, _totalBytes, RowsRead));

    public void Dispose() => _reader.Dispose();

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
