using System.Collections.Concurrent;
using Storemon.Engine;
using Storemon.Storage;

namespace Storemon.Reports;

/// <summary>The polls of consecutive stores, copied out of the reader's buffer so another thread can use them.</summary>
internal sealed class StoreBatch
{
    public const int MaxStores = 512;

    public long[] Keys { get; } = new long[MaxStores];
    private readonly int[] _ends = new int[MaxStores];
    private Poll[] _polls = new Poll[1 << 16];

    public int Count { get; private set; }

    public bool IsFull => Count == MaxStores;

    public void Add(long storeKey, ReadOnlySpan<Poll> polls)
    {
        var start = Count == 0 ? 0 : _ends[Count - 1];
        if (start + polls.Length > _polls.Length)
        {
            Array.Resize(ref _polls, Math.Max(_polls.Length * 2, start + polls.Length));
        }
        polls.CopyTo(_polls.AsSpan(start));
        Keys[Count] = storeKey;
        _ends[Count++] = start + polls.Length;
    }

    public ReadOnlySpan<Poll> PollsOf(int index)
    {
        var start = index == 0 ? 0 : _ends[index - 1];
        return _polls.AsSpan(start, _ends[index] - start);
    }

    public void Clear() => Count = 0;
}

/// <summary>
/// Hands batches of stores from a reading thread to a computing thread, in order, with a bounded
/// number of batches in flight. If either side fails, the other stops, and the first error is thrown.
/// </summary>
internal static class StorePipeline
{
    private const int InFlight = 4;

    /// <summary>
    /// Runs <paramref name="read"/> on this thread, which hands over stores and must stop when the
    /// token it is given is cancelled; <paramref name="compute"/> gets them in batches, in order, on
    /// another thread.
    /// </summary>
    public static void Run(Action<StorePollsAction, CancellationToken> read, Action<StoreBatch> compute, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var filled = new BlockingCollection<StoreBatch>(InFlight);
        using var free = new BlockingCollection<StoreBatch>();
        for (var i = 0; i < InFlight + 2; i++)
        {
            free.Add(new StoreBatch(), CancellationToken.None);
        }

        // A thread of its own for the whole report: a pool thread held that long starves request handling
        // on a small machine while reports run.
        var consumer = Task.Factory.StartNew(() =>
        {
            try
            {
                foreach (var batch in filled.GetConsumingEnumerable(stop.Token))
                {
                    compute(batch);
                    batch.Clear();
                    free.Add(batch, CancellationToken.None);
                }
            }
            catch
            {
                stop.Cancel();
                throw;
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        try
        {
            var batch = free.Take(stop.Token);
            read((storeKey, polls) =>
            {
                batch.Add(storeKey, polls);
                if (batch.IsFull)
                {
                    filled.Add(batch, stop.Token);
                    batch = free.Take(stop.Token);
                }
            }, stop.Token);
            if (batch.Count > 0)
            {
                filled.Add(batch, stop.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Only a failure of the computing side stops the read without the caller cancelling:
            // that failure is the one to throw, below.
        }
        catch
        {
            stop.Cancel();
            throw;
        }
        finally
        {
            filled.CompleteAdding();
        }
        consumer.GetAwaiter().GetResult();
    }
}
