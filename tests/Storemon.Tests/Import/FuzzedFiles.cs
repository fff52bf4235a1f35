using System.Globalization;
using System.Text;
using CsCheck;
using Storemon.Import;
using Storemon.Storage;
using Storemon.Tests.Databases;

namespace Storemon.Tests.Import;

/// <summary>
/// One input of the import fuzz tests: its kind, how it was made (in words, for the failure message),
/// its bytes, and, for a valid file left as generated, the rows the store must be handed, as
/// <see cref="FuzzedFiles.Canonical(PollRow)"/> and its overloads write them.
/// </summary>
public sealed record FuzzedFile(ImportKind Kind, string Origin, byte[] Content, IReadOnlyList<string>? ExpectedRows)
{
    private const int Shown = 2_000;

    public override string ToString()
    {
        var text = Encoding.UTF8.GetString(Content, 0, Math.Min(Content.Length, Shown * 4));
        var escaped = new StringBuilder();
        foreach (var c in text.Length > Shown ? text[..Shown] : text)
        {
            escaped.Append(c switch
            {
                '\r' => "\\r",
                '\n' => "\\n\n",
                '\\' => "\\\\",
                _ when char.IsControl(c) => string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                _ => c.ToString(),
            });
        }
        return string.Create(CultureInfo.InvariantCulture,
            $"{Kind} file, {Content.Length} bytes, {Origin}:\n{escaped}{(text.Length > Shown ? "…" : "")}");
    }
}

/// <summary>
/// Generators of CSV files for the import fuzz tests: valid files of the three kinds (columns in any
/// order and case, extreme but representable timestamps, quoted ids), the same files mutated (cut,
/// stray quotes and bytes, other encodings, invalid UTF-8, NUL bytes, huge fields, out-of-range
/// timestamps and offsets, mixed line ends), and files of random bytes or CSV-ish characters.
/// </summary>
internal static class FuzzedFiles
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);
    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];

    public static readonly Gen<ImportKind> Kinds = Gen.OneOf(ImportKind.Status, ImportKind.BusinessHours, ImportKind.TimeZones);

    /// <summary>Any file of any kind: mostly mutated valid files, some left valid, some random.</summary>
    public static readonly Gen<FuzzedFile> Any = Kinds.SelectMany(Of);

    public static Gen<FuzzedFile> Of(ImportKind kind) => Gen.Frequency(
        (2, Valid(kind)),
        (8, Mutated(kind)),
        (1, Special(kind)),
        (1, RandomFiles(kind)));

    // ---- valid files ----

    private static readonly Gen<string> StoreIds = Gen.OneOf(
        "s1", "s2", "s3", "store-4", "ü-5", "日本-6", "a,b", "q\"uote", "#7", " padded ", "two words", "😀");

    private static readonly string[] Zones =
        ["America/Chicago", "Europe/Berlin", "Asia/Tokyo", "Australia/Lord_Howe", "Pacific/Kiritimati", "UTC", "Etc/GMT+12", "america/new_york"];

    private static readonly string[] TimestampFormats =
    [
        "yyyy-MM-dd HH:mm:ss.ffffff' UTC'",
        "yyyy-MM-dd HH:mm:ss' UTC'",
        "yyyy-MM-dd HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd'T'HH:mm:ss.fff'Z'",
        "yyyy-MM-dd'T'HH:mm:sszzz",
        "yyyy-MM-dd'T'HH:mm:ss.fffffffzzz",
        "yyyy-MM-dd HH:mm:ss.ffffffzzz",
    ];

    private static readonly DateTimeOffset RecentWeek = new(2024, 10, 14, 0, 0, 0, TimeSpan.Zero);

    // A PostgreSQL import makes a partition for every new week (and a few after it): mostly one recent
    // fortnight, sometimes a day of a few far-off weeks (the first and last of the years the service
    // keeps among them), sometimes the first and last microseconds themselves.
    private static readonly DateTimeOffset[] FarDays =
    [
        new(1, 1, 1, 0, 0, 0, TimeSpan.Zero), new(1852, 4, 5, 0, 0, 0, TimeSpan.Zero), new(1969, 12, 31, 0, 0, 0, TimeSpan.Zero),
        new(2000, 2, 29, 0, 0, 0, TimeSpan.Zero), new(9999, 12, 30, 0, 0, 0, TimeSpan.Zero),
    ];

    private static readonly Gen<DateTimeOffset> Instants = Gen.Frequency(
        (12, Gen.Long[0, TimeSpan.TicksPerDay * 14].Select(ticks => RecentWeek.AddTicks(ticks))),
        (1, Gen.Select(Gen.OneOf(FarDays), Gen.Long[0, TimeSpan.TicksPerDay - 1], (day, ticks) => day.AddTicks(ticks))),
        (1, Gen.OneOf(new DateTimeOffset(DateTime.MinValue, TimeSpan.Zero), new DateTimeOffset(DateTime.MaxValue, TimeSpan.Zero))));

    private static readonly Gen<(string Text, long Micros)> Timestamps =
        Gen.Select(Instants, Gen.Int[-14 * 60, 14 * 60], Gen.OneOf(TimestampFormats), (instant, offsetMinutes, format) =>
        {
            var offset = TimeSpan.FromMinutes(format.EndsWith("zzz", StringComparison.Ordinal) ? offsetMinutes : 0);
            // An offset that would move the local time out of the calendar is left out.
            var local = instant.UtcTicks + offset.Ticks < DateTime.MinValue.Ticks || instant.UtcTicks + offset.Ticks > DateTime.MaxValue.Ticks
                ? instant
                : instant.ToOffset(offset);
            var text = local.ToString(format, CultureInfo.InvariantCulture);
            // The framework reads it back: the microsecond the importer must store, truncated, not rounded.
            var parsed = DateTimeOffset.ParseExact(text.Replace(" UTC", "", StringComparison.Ordinal), format.Replace("' UTC'", "", StringComparison.Ordinal),
                CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
            return (text, Math.DivRem(parsed.UtcTicks - DateTime.UnixEpoch.Ticks, 10, out var rest) - (rest < 0 ? 1 : 0));
        });

    private static readonly Gen<(string Text, long Micros)> TimesOfDay = Gen.Select(
        Gen.Frequency((8, Gen.Long[0, TimeSpan.TicksPerDay - 1]), (1, Gen.Const(0L)), (1, Gen.Const(TimeSpan.TicksPerDay - 10))),
        Gen.Int[0, 3],
        (ticks, form) =>
        {
            var time = new TimeSpan(ticks);
            var (text, kept) = form switch
            {
                0 => (time.ToString("h\\:mm", CultureInfo.InvariantCulture), new TimeSpan(time.Hours, time.Minutes, 0)),
                1 => (time.ToString("hh\\:mm", CultureInfo.InvariantCulture), new TimeSpan(time.Hours, time.Minutes, 0)),
                2 => (time.ToString("hh\\:mm\\:ss", CultureInfo.InvariantCulture), new TimeSpan(time.Hours, time.Minutes, time.Seconds)),
                _ => (time.ToString("hh\\:mm\\:ss\\.ffffff", CultureInfo.InvariantCulture), new TimeSpan(ticks - ticks % 10)),
            };
            return (text, kept.Ticks / 10);
        });

    private static readonly Gen<(string Text, long Micros)> EndTimes = Gen.Frequency(
        (6, TimesOfDay), (1, Gen.OneOf(("24:00", TimeSpan.TicksPerDay / 10), ("24:00:00.000", TimeSpan.TicksPerDay / 10))));

    private sealed record Row(string StoreId, string[] Fields, string Canonical);

    private static readonly Gen<Row> StatusRows = Gen.Select(StoreIds, Gen.OneOf("active", "inactive", "ACTIVE", " Inactive "), Timestamps,
        (id, status, timestamp) => new Row(id, [status, timestamp.Text],
            Canonical(new PollRow(id.Trim(), timestamp.Micros, status.Trim().Equals("active", StringComparison.OrdinalIgnoreCase)))));

    private static readonly Gen<Row> HoursRows = Gen.Select(StoreIds, Gen.Int[0, 6], TimesOfDay, EndTimes,
        (id, day, start, end) => new Row(id, [day.ToString(CultureInfo.InvariantCulture), start.Text, end.Text],
            string.Create(CultureInfo.InvariantCulture, $"{id.Trim()}|{day}|{start.Micros}|{end.Micros}")));

    private static readonly Gen<Row> ZoneRows = Gen.Select(StoreIds, Gen.OneOf(Zones), Gen.Bool,
        (id, zone, upper) => new Row(id, [upper ? zone.ToUpperInvariant() : zone],
            $"{id.Trim()}|{(zone == "america/new_york" ? "America/New_York" : zone)}"));

    private static string[] Columns(ImportKind kind) => kind switch
    {
        ImportKind.Status => ["store_id", "status", "timestamp_utc"],
        ImportKind.BusinessHours => ["store_id", "dayOfWeek", "start_time_local", "end_time_local"],
        _ => ["store_id", "timezone_str"],
    };

    private static Gen<Row> Rows(ImportKind kind) => kind switch
    {
        ImportKind.Status => StatusRows,
        ImportKind.BusinessHours => HoursRows,
        _ => ZoneRows,
    };

    /// <summary>A valid file: the columns shuffled, renamed in case, maybe an extra column; either line end; maybe a BOM.</summary>
    private static Gen<FuzzedFile> Valid(ImportKind kind) =>
        Gen.Select(Rows(kind).Array[0, 30], Gen.Int[0, 1000], Gen.Bool, Gen.OneOf("\n", "\r\n"), Gen.Bool, Gen.Bool, Gen.Bool)
            .Select((rows, order, extra, lineEnd, bom, upperHeader, finalLineEnd) =>
            {
                var names = Columns(kind).ToList();
                if (kind == ImportKind.BusinessHours && order % 2 == 0)
                {
                    names[1] = "day";
                }
                if (extra)
                {
                    names.Add("note");
                }
                // The columns in an order picked by `order`; each row writes its values in the same order.
                var positions = Enumerable.Range(0, names.Count).OrderBy(i => (i * 7919 + order) % names.Count).ThenBy(i => i).ToArray();
                var header = string.Join(',', positions.Select(i => upperHeader ? names[i].ToUpperInvariant() : names[i]));
                var text = new StringBuilder(header);
                foreach (var row in rows)
                {
                    string[] values = [row.StoreId, .. row.Fields, .. extra ? ExtraValue : []];
                    text.Append(lineEnd).Append(string.Join(',', positions.Select(i => Quoted(values[i]))));
                }
                if (finalLineEnd)
                {
                    text.Append(lineEnd);
                }
                var bytes = Utf8.GetBytes(text.ToString());
                return new FuzzedFile(kind, $"valid{(bom ? " with a BOM" : "")}", bom ? [.. Bom, .. bytes] : bytes, [.. rows.Select(row => row.Canonical)]);
            });

    private static readonly string[] ExtraValue = ["x, \"y\""];

    private static string Quoted(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 || value != value.Trim() ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;

    // ---- mutations ----

    private sealed record Mutation(string Name, Func<byte[], byte[]> Apply);

    /// <summary>Values that break a field: timestamps and offsets past every limit, bad days and times, huge numbers.</summary>
    private static readonly string[] BadValues =
    [
        "9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+14:00", "0000-01-01 00:00:00 UTC", "10000-01-01T00:00:00Z",
        "9999-12-31 23:59:59.9999999999999999999999999 UTC", "2024-10-14 10:00:00." + new string('9', 400) + " UTC",
        "2024-10-14T10:00:00.123456789123Z", "2024-10-14T10:00:00+99:99", "2024-10-14T10:00:00-99:99", "2024-10-14T10:00:00+24:00",
        "2024-10-14T10:00:00+14:01", "2024-10-14T10:00:00-18:00", "2024-02-30 00:00:00 UTC", "2024-13-01 00:00:00 UTC",
        "2024-10-14 24:00:00 UTC", "2024-10-14 23:59:60 UTC", "-2024-10-14T00:00:00Z", "+002024-10-14T00:00:00Z", "2024-10-14",
        "2024-10-14 10:00:00 PST", "2024-10-14T10:00:00.Z", "٢٠٢٤-10-14 10:00:00 UTC", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.9999999Z",
        "-1", "7", "99999999999999999999", "2147483648", "24:00", "23:60", "24:00:01", "25:00", "9:5", "12:00:00.", "12:00:00.1234567890123",
        "Mars/Olympus_Mons", "Europe/../Berlin", "", " ", "\"", "\"\"", "null", "NaN", "actif", "ACTIVE\0",
    ];

    private static readonly byte[][] Snippets =
    [
        "\""u8.ToArray(), "\"\""u8.ToArray(), ","u8.ToArray(), "\n"u8.ToArray(), "\r"u8.ToArray(), "\r\n"u8.ToArray(), [0], [0, 0, 0],
        [0xFF], [0xC3], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xFE, 0xFF], [0xFF, 0xFE], Bom, "\t"u8.ToArray(),
        "ü"u8.ToArray(), [0xFC], "\u2028"u8.ToArray(), "\uFEFF"u8.ToArray(),
    ];

    private static readonly Gen<byte[]> Inserted = Gen.Frequency(
        (6, Gen.OneOf(Snippets)),
        (3, Gen.OneOf(BadValues).Select(value => Utf8.GetBytes(value))),
        (2, Gen.Byte.Array[1, 8]),
        (1, Gen.Select(Gen.Int[1_000, 100_000], Gen.OneOf('x', '9', '"', ','), (length, c) => Utf8.GetBytes(new string(c, length)))));

    private static readonly Gen<Mutation> Mutations = Gen.Frequency(
        (3, Gen.Double[0, 1].Select(at => new Mutation($"cut at {at:F3}", bytes => bytes[..Position(bytes, at)]))),
        (4, Gen.Select(Gen.Double[0, 1], Inserted).Select((at, inserted) => new Mutation($"insert {Describe(inserted)} at {at:F3}",
            bytes => [.. bytes[..Position(bytes, at)], .. inserted, .. bytes[Position(bytes, at)..]]))),
        (4, Gen.Select(Gen.Int[0, 1_000], Gen.Int[0, 5], Inserted).Select((line, field, value) =>
            new Mutation($"field {field} of line {line} = {Describe(value)}", bytes => ReplaceField(bytes, line, field, value)))),
        (2, Gen.Select(Gen.Double[0, 1], Gen.Int[1, 40]).Select((at, length) => new Mutation($"delete {length} bytes at {at:F3}",
            bytes => [.. bytes[..Position(bytes, at)], .. bytes[Math.Min(bytes.Length, Position(bytes, at) + length)..]]))),
        (2, Gen.Select(Gen.Double[0, 1], Gen.Byte[1, 255]).Select((at, mask) => new Mutation($"xor {mask} at {at:F3}", bytes =>
        {
            var copy = bytes.ToArray();
            if (copy.Length > 0)
            {
                copy[Math.Min(copy.Length - 1, Position(copy, at))] ^= mask;
            }
            return copy;
        }))),
        (2, Gen.Int[0, int.MaxValue].Select(seed => new Mutation($"line ends mixed ({seed})", bytes => MixLineEnds(bytes, seed)))),
        (2, Gen.Select(Gen.Int[0, 1_000], Gen.Int[0, 2]).Select((line, how) => new Mutation(
            $"{(how == 0 ? "duplicate" : how == 1 ? "delete" : "swap with the next")} line {line}", bytes => EditLine(bytes, line, how)))),
        (1, Gen.OneOf("latin-1", "utf-16le", "utf-16le+bom", "utf-16be+bom", "utf-32+bom", "bom twice")
            .Select(encoding => new Mutation($"as {encoding}", bytes => Reencode(bytes, encoding)))));

    private static Gen<FuzzedFile> Mutated(ImportKind kind) =>
        Gen.Select(Valid(kind), Mutations.Array[1, 4]).Select((file, mutations) => new FuzzedFile(kind,
            $"valid, then {string.Join("; ", mutations.Select(m => m.Name))}",
            mutations.Aggregate(file.Content, (bytes, mutation) => mutation.Apply(bytes)), ExpectedRows: null));

    private static int Position(byte[] bytes, double at) => (int)Math.Min(bytes.Length, Math.Floor(at * (bytes.Length + 1)));

    private static string Describe(byte[] bytes) =>
        bytes.Length > 40 ? $"{bytes.Length} bytes" : Convert.ToHexString(bytes);

    private static List<byte[]> Lines(byte[] bytes)
    {
        var lines = new List<byte[]>();
        var start = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                lines.Add(bytes[start..(i + 1)]);
                start = i + 1;
            }
        }
        lines.Add(bytes[start..]);
        return lines;
    }

    private static byte[] ReplaceField(byte[] bytes, int line, int field, byte[] value)
    {
        var lines = Lines(bytes);
        var target = lines[line % lines.Count];
        var commas = target.Select((b, i) => (b, i)).Where(p => p.b == (byte)',').Select(p => p.i).ToList();
        var end = target.Length > 0 && target[^1] == (byte)'\n' ? target.Length - (target.Length > 1 && target[^2] == (byte)'\r' ? 2 : 1) : target.Length;
        var f = field % (commas.Count + 1);
        var from = f == 0 ? 0 : commas[f - 1] + 1;
        var to = f == commas.Count ? end : commas[f];
        lines[line % lines.Count] = [.. target[..from], .. value, .. target[Math.Max(from, to)..]];
        return [.. lines.SelectMany(l => l)];
    }

    private static byte[] EditLine(byte[] bytes, int line, int how)
    {
        var lines = Lines(bytes);
        var i = line % lines.Count;
        switch (how)
        {
            case 0:
                lines.Insert(i, lines[i]);
                break;
            case 1:
                lines.RemoveAt(i);
                break;
            default:
                if (i + 1 < lines.Count)
                {
                    (lines[i], lines[i + 1]) = (lines[i + 1], lines[i]);
                }
                break;
        }
        return [.. lines.SelectMany(l => l)];
    }

    private static byte[] MixLineEnds(byte[] bytes, int seed)
    {
        var random = new Random(seed);
        var ends = new[] { "\n"u8.ToArray(), "\r\n"u8.ToArray(), "\r"u8.ToArray(), "\n\n"u8.ToArray(), "\r\r\n"u8.ToArray() };
        var mixed = new List<byte>(bytes.Length + 16);
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\r' && i + 1 < bytes.Length && bytes[i + 1] == (byte)'\n')
            {
                continue;
            }
            if (bytes[i] == (byte)'\n' || bytes[i] == (byte)'\r')
            {
                mixed.AddRange(ends[random.Next(ends.Length)]);
            }
            else
            {
                mixed.Add(bytes[i]);
            }
        }
        return [.. mixed];
    }

    private static byte[] Reencode(byte[] bytes, string encoding)
    {
        var text = Encoding.UTF8.GetString(bytes);
        return encoding switch
        {
            "latin-1" => Encoding.Latin1.GetBytes(text),
            "utf-16le" => Encoding.Unicode.GetBytes(text),
            "utf-16le+bom" => [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(text)],
            "utf-16be+bom" => [.. Encoding.BigEndianUnicode.GetPreamble(), .. Encoding.BigEndianUnicode.GetBytes(text)],
            "utf-32+bom" => [.. Encoding.UTF32.GetPreamble(), .. Encoding.UTF32.GetBytes(text)],
            _ => [.. Bom, .. Bom, .. bytes],
        };
    }

    // ---- special and random files ----

    private static Gen<FuzzedFile> Special(ImportKind kind)
    {
        var header = string.Join(',', Columns(kind));
        return Gen.OneOf(
            ("empty", ""), ("a BOM alone", "\uFEFF"), ("blank lines", "\n\r\n\r\n"), ("spaces", "   "),
            ("the header alone", header), ("the header and a line end", header + "\r\n"), ("the header and blank lines", header + "\n\n\n"),
            ("empty column names", new string(',', Columns(kind).Length - 1) + "\n"), ("a header of quotes", "\"\"\"\n"),
            ("an unterminated quote", header + "\n\"s1,active"), ("a quoted header", string.Join(',', Columns(kind).Select(c => $"\"{c}\""))),
            ("a row of empty fields", header + "\n" + new string(',', Columns(kind).Length - 1)),
            ("the header twice", header + "\n" + header + "\n"))
            .Select(special => new FuzzedFile(kind, special.Item1, Utf8.GetBytes(special.Item2), ExpectedRows: null));
    }

    private static Gen<FuzzedFile> RandomFiles(ImportKind kind)
    {
        var header = string.Join(',', Columns(kind)) + "\n";
        return Gen.Frequency(
            (1, Gen.Byte.Array[0, 3_000].Select(bytes => new FuzzedFile(kind, "random bytes", bytes, ExpectedRows: null))),
            (1, Gen.Byte.Array[0, 3_000].Select(bytes => new FuzzedFile(kind, "a header, then random bytes", [.. Utf8.GetBytes(header), .. bytes], ExpectedRows: null))),
            (2, Gen.String[Gen.Char[",\"\r\n \t:.-+TZ0123456789activeUTCs\0ü"], 0, 1_500]
                .Select(text => new FuzzedFile(kind, "a header, then random CSV-ish text", Utf8.GetBytes(header + text), ExpectedRows: null))));
    }

    // ---- the rows a store is handed, as text ----

    public static string Canonical(PollRow row) =>
        string.Create(CultureInfo.InvariantCulture, $"{row.StoreId}|{row.UnixMicroseconds}|{(row.Active ? "active" : "inactive")}");

    public static string Canonical(BusinessHoursRow row) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{row.StoreId}|{row.Hours.SpecDay}|{row.Hours.Start.BclCompatibleTicks / 10}|{row.Hours.End.BclCompatibleTicks / 10}");

    public static string Canonical(TimeZoneRow row) => $"{row.StoreId}|{row.TimeZone}";
}
