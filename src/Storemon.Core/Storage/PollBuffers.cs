namespace Storemon.Storage;

/// <summary>
/// The large poll arrays of imports, kept from one import to the next (a few of them, the largest).
/// </summary>
/// <remarks>
/// Memory the process has not used before costs more to touch than an import's own work on it: on the
/// 2-core virtual machine of the benchmarks, writing 1.3M polls into a new array took 0.10-0.16 s (a
/// page fault every 4 KB), into one used before 3 ms. A bulk import of ~2M polls fills about 100 MB of
/// them (its chunks and their sorted copy); kept, a service's later imports find them ready.
/// New arrays are not zeroed first, since every poll in use is written before it is read.
/// </remarks>
internal sealed class PollBuffers(int kept)
{
    /// <summary>
    /// The process's buffers, four: an import's chunk being read, the one queued for the writer, the one
    /// being written and its sorted copy. Never given back to the system: a service that has made a bulk
    /// import keeps up to four chunk-sized arrays (~48 MB each at the default chunk size).
    /// </summary>
    public static PollBuffers Shared { get; } = new(4);

    private readonly KeyedPoll[]?[] _free = new KeyedPoll[kept][];

    /// <summary>
    /// The smallest kept array of at least <paramref name="length"/> polls and at most twice that, or a
    /// new one of that length: a small import does not take the large arrays a bulk import needs.
    /// </summary>
    public KeyedPoll[] Rent(int length)
    {
        lock (_free)
        {
            var best = -1;
            for (var i = 0; i < _free.Length; i++)
            {
                if (_free[i] is { } array && array.Length >= length && array.Length <= 2L * length && (best < 0 || array.Length < _free[best]!.Length))
                {
                    best = i;
                }
            }
            if (best >= 0)
            {
                var array = _free[best]!;
                _free[best] = null;
                return array;
            }
        }
        return GC.AllocateUninitializedArray<KeyedPoll>(length);
    }

    /// <summary>Keeps <paramref name="array"/> for a later import, in place of a smaller one when all places are taken.</summary>
    public void Return(KeyedPoll[] array)
    {
        if (array.Length == 0)
        {
            return;
        }
        lock (_free)
        {
            var place = -1;
            for (var i = 0; i < _free.Length; i++)
            {
                if (_free[i] is null)
                {
                    place = i;
                    break;
                }
                if (_free[i]!.Length < array.Length && (place < 0 || _free[i]!.Length < _free[place]!.Length))
                {
                    place = i;
                }
            }
            if (place >= 0)
            {
                _free[place] = array;
            }
        }
    }
}
