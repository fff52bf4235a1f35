namespace Storemon.Storage;

/// <summary>
/// A poll on its way into the database: the store's compact key, the time in microseconds, the
/// status, and its position in the input. Imports write polls in key order (each insert lands next to
/// the previous one in the index); the position keeps input order among duplicates, so that the last
/// one still wins.
/// </summary>
internal readonly record struct KeyedPoll(long Store, long At, bool Active, int Sequence) : IComparable<KeyedPoll>
{
    public int CompareTo(KeyedPoll other) =>
        Store != other.Store ? Store.CompareTo(other.Store)
        : At != other.At ? At.CompareTo(other.At)
        : Sequence.CompareTo(other.Sequence);

    /// <summary>Sorts <paramref name="polls"/> and keeps the last of each (store, time); returns how many are left at the front.</summary>
    public static int SortKeepingLast(Span<KeyedPoll> polls)
    {
        polls.Sort();
        return KeepLast(polls);
    }

    /// <summary>
    /// Puts <paramref name="polls"/> in (store, time) order into <paramref name="sorted"/>, keeping the
    /// last of each (store, time); returns how many there are. <paramref name="polls"/> must be in input
    /// order (ascending <see cref="Sequence"/>).
    /// </summary>
    /// <remarks>
    /// Polls arrive in time order, store after store: a stable counting sort by store then leaves each
    /// store's polls in time order already, in two passes instead of a comparison sort's twenty; a
    /// store whose polls came out of order is sorted on its own. Store keys are dense (an identity
    /// column), so the counts fit an array; when they are not, a comparison sort does the work.
    /// </remarks>
    public static int SortKeepingLast(ReadOnlySpan<KeyedPoll> polls, Span<KeyedPoll> sorted)
    {
        if (polls.IsEmpty)
        {
            return 0;
        }
        long min = long.MaxValue, max = long.MinValue;
        foreach (var poll in polls)
        {
            min = Math.Min(min, poll.Store);
            max = Math.Max(max, poll.Store);
        }
        if (max - min > (4L * polls.Length) + 1024)
        {
            polls.CopyTo(sorted);
            return SortKeepingLast(sorted[..polls.Length]);
        }

        var starts = new int[max - min + 2];
        foreach (var poll in polls)
        {
            starts[poll.Store - min + 1]++;
        }
        for (var i = 1; i < starts.Length; i++)
        {
            starts[i] += starts[i - 1];
        }
        var next = (int[])starts.Clone();
        foreach (var poll in polls)
        {
            sorted[next[poll.Store - min]++] = poll;
        }
        for (var store = 0; store < starts.Length - 1; store++)
        {
            var run = sorted[starts[store]..starts[store + 1]];
            for (var i = 1; i < run.Length; i++)
            {
                if (run[i].At < run[i - 1].At)
                {
                    run.Sort();
                    break;
                }
            }
        }
        return KeepLast(sorted[..polls.Length]);
    }

    // On sorted polls: keeps the last of each run of equal (store, time), in place.
    private static int KeepLast(Span<KeyedPoll> polls)
    {
        var kept = 0;
        for (var i = 0; i < polls.Length; i++)
        {
            if (i + 1 < polls.Length && polls[i + 1].Store == polls[i].Store && polls[i + 1].At == polls[i].At)
            {
                continue; // a later duplicate follows: it wins
            }
            polls[kept++] = polls[i];
        }
        return kept;
    }
}
