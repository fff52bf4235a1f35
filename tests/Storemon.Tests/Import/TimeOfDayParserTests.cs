using NodaTime;
using Storemon.Import;

namespace Storemon.Tests.Import;

public sealed class TimeOfDayParserTests
{
    [Theory]
    [InlineData("00:00", 0)]
    [InlineData("09:30", 34_200_000_000)]
    [InlineData("9:30", 34_200_000_000)]
    [InlineData("09:30:15", 34_215_000_000)]
    [InlineData("23:59:59", 86_399_000_000)]
    [InlineData("23:59:59.999999", 86_399_999_999)]
    [InlineData("23:59:59.9999999", 86_399_999_999)]
    [InlineData("12:00:00.5", 43_200_500_000)]
    [InlineData("24:00", 86_400_000_000)]
    [InlineData("24:00:00", 86_400_000_000)]
    [InlineData("24:00:00.000000", 86_400_000_000)]
    public void Accepted_times_are_read_to_the_microsecond(string text, long microseconds)
    {
        Assert.True(TimeOfDayParser.TryParse(text, out var time));
        Assert.Equal(Duration.FromTicks(microseconds * 10), time);
    }

    [Theory]
    [InlineData("")]
    [InlineData("9")]
    [InlineData("0930")]
    [InlineData("25:00")]
    [InlineData("24:01")]
    [InlineData("24:00:01")]
    [InlineData("24:00:00.000001")]
    [InlineData("12:60")]
    [InlineData("12:00:60")]
    [InlineData("12:5")]
    [InlineData("123:00")]
    [InlineData("12:00:5")]
    [InlineData("12:00:00.")]
    [InlineData("12:00:00.5x")]
    [InlineData("12:00:00,5")]
    [InlineData("9:00 AM")]
    [InlineData("-1:00")]
    [InlineData("12:00:00:00")]
    public void Anything_else_is_not_a_time_of_day(string text) =>
        Assert.False(TimeOfDayParser.TryParse(text, out _));
}
