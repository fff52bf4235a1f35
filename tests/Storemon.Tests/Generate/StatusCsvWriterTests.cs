using Storemon.Generate;

namespace Storemon.Tests.Generate;

public sealed class StatusCsvWriterTests
{
    [Theory]
    [InlineData("2023-01-22 12:09:39.388884", "2023-01-22 12:09:39.388884 UTC")]
    [InlineData("2023-01-25 18:13:22.479220", "2023-01-25 18:13:22.47922 UTC")]
    [InlineData("2023-01-24 09:06:42.600000", "2023-01-24 09:06:42.6 UTC")]
    [InlineData("2024-02-29 00:00:00.000001", "2024-02-29 00:00:00.000001 UTC")]
    [InlineData("2023-01-01 00:00:00", "2023-01-01 00:00:00 UTC")]
    [InlineData("1970-01-01 00:00:00", "1970-01-01 00:00:00 UTC")]
    [InlineData("2099-12-31 23:59:59.999999", "2099-12-31 23:59:59.999999 UTC")]
    public void Timestamps_are_written_as_the_public_file_writes_them(string utc, string expected)
    {
        var time = DateTime.Parse(utc, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal);
        var micros = (time - DateTime.UnixEpoch).Ticks / 10;
        Span<char> buffer = stackalloc char[40];

        var length = StatusCsvWriter.FormatTimestamp(micros, buffer);

        Assert.Equal(expected, buffer[..length].ToString());
        Assert.Equal(time, GeneratedFiles.ParseTimestamp(expected));
    }

    [Fact]
    public void Rows_hold_the_store_id_status_and_time_under_the_public_header()
    {
        using var text = new StringWriter();
        var writer = new StatusCsvWriter(text, ["8419537941919820732", "\"a,b\""]);

        writer.Write(new ScheduledPoll(0, 1_674_389_379_388_884, Active: true));
        writer.Write(new ScheduledPoll(1, 1_674_389_379_000_000, Active: false));

        Assert.Equal(
            "store_id,status,timestamp_utc\n" +
            "8419537941919820732,active,2023-01-22 12:09:39.388884 UTC\n" +
            "\"a,b\",inactive,2023-01-22 12:09:39 UTC\n",
            text.ToString());
    }
}
