using System.Globalization;
using CsCheck;
using Storemon.Import;

namespace Storemon.Tests.Import;

public sealed class TimestampParserTests
{
    private static readonly string[] CommonFormats =
        ["yyyy-MM-dd HH:mm:ss.ffffff' UTC'", "yyyy-MM-dd HH:mm:ss.FFFFFF' UTC'", "yyyy-MM-dd'T'HH:mm:ss.FFFFFF'Z'"];

    [Theory]
    [InlineData("2023-01-22 12:09:39.388884 UTC", 1_674_389_379_388_884)]
    [InlineData("2023-01-22 12:09:39 UTC", 1_674_389_379_000_000)]
    [InlineData("2023-01-22 12:09:39.3 UTC", 1_674_389_379_300_000)]
    [InlineData("2023-01-22 12:09:39.38 UTC", 1_674_389_379_380_000)]
    [InlineData("2023-01-22 12:09:39.38888 UTC", 1_674_389_379_388_880)]
    [InlineData("2023-01-22 12:09:39.388884 utc", 1_674_389_379_388_884)]
    [InlineData("2023-01-22T12:09:39.388884Z", 1_674_389_379_388_884)]
    [InlineData("2023-01-22 12:09:39.388884", 1_674_389_379_388_884)]
    [InlineData("2024-10-07T12:09:39.5+00:00", 1_728_302_979_500_000)]
    [InlineData("2024-10-07T14:09:39+02:00", 1_728_302_979_000_000)]
    [InlineData("2024-10-07T07:09:39.5-05:00", 1_728_302_979_500_000)]
    [InlineData("2024-10-07 14:09:39.5+02:00", 1_728_302_979_500_000)]
    [InlineData("2024-02-29 00:00:00 UTC", 1_709_164_800_000_000)]
    [InlineData("1970-01-01 00:00:00 UTC", 0)]
    [InlineData("1969-12-31 23:59:59.999999 UTC", -1)]
    [InlineData("2000-02-29 23:59:59 UTC", 951_868_799_000_000)]
    public void Accepted_forms_are_read_to_the_microsecond_in_UTC(string text, long expected)
    {
        Assert.True(TimestampParser.TryParseUnixMicroseconds(text, out var actual));
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData("2023-01-22 12:09:39.3888849 UTC", 1_674_389_379_388_884)]
    [InlineData("2023-01-22 12:09:39.388884999999 UTC", 1_674_389_379_388_884)]
    [InlineData("2023-01-22T12:09:39.388884999Z", 1_674_389_379_388_884)]
    [InlineData("2023-01-22T14:09:39.388884999+02:00", 1_674_389_379_388_884)]
    [InlineData("1969-12-31T23:59:59.9999999+00:00", -1)]
    public void Fractions_finer_than_a_microsecond_are_truncated_never_rounded_up(string text, long expected)
    {
        Assert.True(TimestampParser.TryParseUnixMicroseconds(text, out var actual));
        Assert.Equal(expected, actual);
    }

    // Well formed, but outside UTC years 1 to 9999 once the offset is applied: out of range, not an overflow.
    [Theory]
    [InlineData("9999-12-31T23:59:59-01:00")]
    [InlineData("9999-12-31 23:30:00-01:00")]
    [InlineData("0001-01-01T00:30:00+01:00")]
    public void A_timestamp_outside_the_years_kept_is_refused_as_out_of_range(string text)
    {
        Assert.False(TimestampParser.TryParseUnixMicroseconds(text, out _, out var outOfRange));
        Assert.True(outOfRange);
        Assert.False(TimestampParser.TryParseInstant(text, out _));
    }

    [Theory]
    [InlineData("9999-12-31T23:59:59.999999Z", 253_402_300_799_999_999)]
    [InlineData("9999-12-31T23:59:59+01:00", 253_402_297_199_000_000)]
    [InlineData("0001-01-01T00:00:00Z", -62_135_596_800_000_000)]
    public void The_ends_of_the_years_kept_are_read(string text, long expected)
    {
        Assert.True(TimestampParser.TryParseUnixMicroseconds(text, out var actual, out var outOfRange));
        Assert.False(outOfRange);
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData("")]
    [InlineData("yesterday")]
    [InlineData("2023-02-30 10:00:00 UTC")]
    [InlineData("2023-02-29 10:00:00 UTC")]
    [InlineData("1900-02-29 10:00:00 UTC")]
    [InlineData("2023-04-31 10:00:00 UTC")]
    [InlineData("2023-13-01 10:00:00 UTC")]
    [InlineData("2023-00-01 10:00:00 UTC")]
    [InlineData("2023-01-00 10:00:00 UTC")]
    [InlineData("0000-01-01 10:00:00 UTC")]
    [InlineData("2023-01-22 24:00:00 UTC")]
    [InlineData("2023-01-22 12:60:00 UTC")]
    [InlineData("2023-01-22 12:09:60 UTC")]
    [InlineData("2023-01-22 12:09:39. UTC")]
    [InlineData("2023-01-22 12:09:39.38a UTC")]
    [InlineData("2023-01-22 12:09:39 CET")]
    [InlineData("2023-01-22 12:09:39 UTC garbage")]
    [InlineData("2023-01-22 12:09:39UTC")]
    [InlineData("2023-1-22 12:09:39 UTC")]
    [InlineData("2023-01-22 2:09:39 UTC")]
    [InlineData("2023/01/22 12:09:39 UTC")]
    [InlineData("22-01-2023 12:09:39 UTC")]
    [InlineData("2023-01-22")]
    [InlineData("1674389379")]
    [InlineData("2024-10-07T14:09:39+25:00")]
    [InlineData("٢٠٢٣-01-22 12:09:39 UTC")]
    public void Anything_else_is_not_a_timestamp(string text) =>
        Assert.False(TimestampParser.TryParseUnixMicroseconds(text, out _));

    [Fact]
    public void The_common_form_agrees_with_the_framework_for_any_instant_of_years_1_to_9999()
    {
        var latest = DateTime.MaxValue.Ticks / 10;
        Gen.Long[0, latest].Sample(micros =>
        {
            var time = new DateTime(micros * 10, DateTimeKind.Utc);
            var expected = micros - DateTime.UnixEpoch.Ticks / 10;
            foreach (var format in CommonFormats)
            {
                var text = time.ToString(format, CultureInfo.InvariantCulture);
                Assert.True(TimestampParser.TryParseUnixMicroseconds(text, out var actual), text);
                Assert.Equal(expected, actual);
            }
        });
    }

    [Fact]
    public void Offsets_are_converted_to_UTC_as_the_framework_converts_them()
    {
        // Years 2 to 9998, so that no offset takes the instant out of the calendar.
        var first = new DateTime(2, 1, 1).Ticks / 10;
        var last = new DateTime(9998, 12, 31).Ticks / 10;
        Gen.Select(Gen.Long[first, last], Gen.Int[-14 * 60, 14 * 60]).Sample((micros, offsetMinutes) =>
        {
            var time = new DateTimeOffset(micros * 10, TimeSpan.FromMinutes(offsetMinutes));
            var text = time.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFzzz", CultureInfo.InvariantCulture);
            Assert.True(TimestampParser.TryParseUnixMicroseconds(text, out var actual), text);
            Assert.Equal((time.UtcTicks - DateTime.UnixEpoch.Ticks) / 10, actual);
        });
    }
}
