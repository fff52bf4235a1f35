using Storemon.Storage;

namespace Storemon.Tests.Postgres;

/// <summary>The import's sort: (store, time) order with the last of each duplicate kept, however the polls arrive.</summary>
public sealed class KeyedPollSortTests
{
    // The reference: a comparison sort of everything, then the last of each (store, time).
    private static KeyedPoll[] Reference(KeyedPoll[] polls)
    {
        var copy = (KeyedPoll[])polls.Clone();
        return copy[..KeyedPoll.SortKeepingLast(copy.AsSpan())];
    }

    private static KeyedPoll[] CountingSort(KeyedPoll[] polls)
    {
        var sorted = new KeyedPoll[polls.Length];
        return sorted[..KeyedPoll.SortKeepingLast(polls, sorted)];
    }

    [Theory]
    [InlineData(1, 0.0, 1)]       // time order, dense keys
    [InlineData(2, 0.05, 1)]      // a few polls out of time order
    [InlineData(3, 0.5, 1)]       // mostly shuffled
    [InlineData(4, 0.05, 100_000)] // sparse keys: the comparison sort takes over
    public void The_counting_sort_gives_what_a_full_sort_gives(int seed, double shuffled, long keyStride)
    {
        var random = new Random(seed);
        var polls = new List<KeyedPoll>();
        for (var hour = 0; hour < 200; hour++)
        {
            for (var store = 0; store < 50; store++)
            {
                if (random.NextDouble() < 0.9)
                {
                    polls.Add(new KeyedPoll(1_000 + (store * keyStride), hour * 3_600_000_000L + random.Next(600_000_000), random.Next(2) == 0, 0));
                }
            }
        }
        // Duplicates of earlier polls with the other status, some soon after, some much later.
        for (var i = 0; i < 300; i++)
        {
            var original = polls[random.Next(polls.Count)];
            polls.Insert(Math.Min(polls.Count, polls.IndexOf(original) + random.Next(1, 5000)), original with { Active = !original.Active });
        }
        for (var i = 0; i < polls.Count * shuffled; i++)
        {
            var a = random.Next(polls.Count);
            var b = random.Next(polls.Count);
            (polls[a], polls[b]) = (polls[b], polls[a]);
        }
        var input = polls.Select((poll, index) => poll with { Sequence = index }).ToArray();

        var expected = Reference(input);
        Assert.True(expected.Length < input.Length, "the data should hold duplicates");
        Assert.Equal(expected, CountingSort(input));
    }

    [Fact]
    public void Of_duplicates_the_one_given_last_wins()
    {
        KeyedPoll[] input =
        [
            new(7, 100, true, 0),
            new(3, 100, false, 1),
            new(7, 100, false, 2),
            new(7, 50, true, 3),
            new(3, 100, true, 4),
        ];
        Assert.Equal(
            [new KeyedPoll(3, 100, true, 4), new KeyedPoll(7, 50, true, 3), new KeyedPoll(7, 100, false, 2)],
            CountingSort(input));
    }
}
