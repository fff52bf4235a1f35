using Storemon.Storage;

namespace Storemon.Tests.Storage;

public sealed class PollBuffersTests
{
    [Fact]
    public void A_rent_takes_the_smallest_kept_array_long_enough_and_at_most_twice_the_length_asked_or_makes_one()
    {
        var buffers = new PollBuffers(kept: 3);
        KeyedPoll[] small = new KeyedPoll[10], middle = new KeyedPoll[100], large = new KeyedPoll[1000];
        buffers.Return(large);
        buffers.Return(small);
        buffers.Return(middle);

        Assert.Same(middle, buffers.Rent(60));
        Assert.Equal(60, buffers.Rent(60).Length);    // the large one is more than twice as long
        Assert.Same(large, buffers.Rent(600));
        Assert.Same(small, buffers.Rent(5));
        Assert.Equal(5, buffers.Rent(5).Length);
    }

    [Fact]
    public void When_all_places_are_taken_a_returned_array_replaces_the_smallest_kept_one_it_is_longer_than()
    {
        var buffers = new PollBuffers(kept: 2);
        KeyedPoll[] ten = new KeyedPoll[10], twenty = new KeyedPoll[20], thirty = new KeyedPoll[30], five = new KeyedPoll[5];
        buffers.Return(ten);
        buffers.Return(twenty);
        buffers.Return(thirty);   // replaces ten
        buffers.Return(five);     // kept nowhere
        buffers.Return([]);       // nothing to keep

        Assert.Same(twenty, buffers.Rent(15));
        Assert.Same(thirty, buffers.Rent(15));
        Assert.Equal(15, buffers.Rent(15).Length);
        Assert.Equal(8, buffers.Rent(8).Length);  // ten was not kept
    }
}
