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
