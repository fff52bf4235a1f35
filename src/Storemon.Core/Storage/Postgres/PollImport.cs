using System.Buffers.Binary;
using System.Collections.Concurrent;
using Npgsql;

namespace Storemon.Storage.Postgres;

/// <summary>
/// One call of <see cref="PostgresMonitoringStore.WritePolls"/>. The rows are parsed on the caller's
/// thread and written on another, a chunk at a time, so that the parsing of the next chunk overlaps
/// the server's work on this one.
/// </summary>
/// <remarks>
/// Each chunk is keyed (new stores are added), sorted by (store, time) with the last of each
/// duplicate kept, given the partitions of its weeks, and streamed in COPY's binary format one of two
/// ways:
/// <list type="bullet">
/// <item>New polls, the usual case (the next hours of data, a first import), are copied straight into
/// the partitions of their weeks, one after the other, under a savepoint: a copy does not look for an existing row first the way
/// <c>INSERT … ON CONFLICT</c> does, whose check and speculative insertion cost as much again as the
/// insert itself (2M sorted polls into empty weeks on the 2-core machine of the benchmarks: 2.0 s by
/// COPY, 2.6 s by a plain INSERT from a staging table, 5.1 s by INSERT … ON CONFLICT).</item>
/// <item>When that copy meets an existing (store, time) (a re-import, an overlapping file, another
/// writer's poll), the chunk is rolled back to its savepoint and goes through a temporary staging
/// table and <c>INSERT … ON CONFLICT DO UPDATE</c>: the last write wins. The rest of the import then
/// goes that way too, since it overlaps stored data.</item>
/// </list>
/// Chunks are large because the sort makes the index cheap to fill: rows sorted by (store, time)
/// across the whole chunk land in each store's stretch of the index one after the other, where rows in
/// file (time) order would touch a different leaf page with every row; a bulk load sorted in chunks of
/// 256k rows cost the server a third more than one sorted whole. Large chunks also keep a transaction
/// well under 64 savepoints, past which PostgreSQL makes every other session's snapshot slower to
/// check; after <see cref="MaxSavepoints"/> chunks the rest merge through the staging table.
/// <para>
/// The first chunk also ends where the input first moves from one week to another, if it holds
/// <c>weekChunkRows</c> by then: in input written in time order (as a poller appends), that week is
/// whole, and the server copies it while the rest is read and sorted. Input in no order (the public
/// file's rows are shuffled) moves between weeks from its first rows and is read as one chunk. Only the first chunk ends early: the copying
/// is the slower side, so once it is under way the reading keeps ahead of it anyway, and more chunks
/// would only spend savepoints. A later poll of a week already written goes in with a later chunk; if
/// it repeats a written (store, time), that chunk's copy fails and it and the rest of the import merge
/// through the staging table, as an import overlapping stored polls does.
/// </para>
/// </remarks>
internal sealed class PollImport
{
    /// <summary>Rows per chunk (tests make it small to see several chunks).</summary>
    internal const int DefaultChunkRows = 1 << 21;

    /// <summary>The rows the first chunk needs, all of one week, for the input's first move to another week to end it.</summary>
    internal const int DefaultWeekChunkRows = 1 << 16;
    private const int MaxSavepoints = 48;
    private const int PieceRows = 1 << 16;

    private readonly NpgsqlConnection _connection;
    private readonly Func<NpgsqlConnection> _openConnection;
    private readonly PollBuffers _buffers;
    private readonly NpgsqlTransaction _transaction;
    private readonly PostgresMonitoringStore.StoreKeys _stores;
    private readonly HashSet<long> _partitions;
    // Weeks whose partitions were being detached when the import began: they take no rows, so a copy
    // goes through the parent (and fails there, as any write would); into the others it goes straight.
    private readonly HashSet<long> _detaching;
    private KeyedPoll[]? _sorted;
    private byte[]? _piece;
    private int _chunks;
    private KeyedPoll? _latest;
    // Whether the latest poll written before this import may be unknown: no poll_latest row, yet polls.
    private readonly bool _latestUnknown;
    private bool _copyStraight = true;
    private int _savepoints;
    private bool _stagingMade;

    private PollImport(NpgsqlConnection connection, NpgsqlTransaction transaction, Func<NpgsqlConnection> openConnection, PollBuffers buffers)
    {
        _buffers = buffers;
        _openConnection = openConnection;
        _connection = connection;
        _transaction = transaction;
        _stores = new PostgresMonitoringStore.StoreKeys(connection, loadAll: true);
        var partitions = PostgresMonitoringStore.Partitions(connection);
        _partitions = [.. partitions.Select(static partition => partition.Week)];
        _detaching = [.. partitions.Where(static partition => partition.DetachPending).Select(static partition => partition.Week)];
        using var latest = new NpgsqlCommand("SELECT NOT EXISTS (SELECT 1 FROM poll_latest) AND EXISTS (SELECT 1 FROM poll)", connection);
        _latestUnknown = (bool)latest.ExecuteScalar()!;
    }

    /// <summary>What one import did: the rows read, and the chunks they were written in.</summary>
    public readonly record struct Result(int Read, int Chunks);

    /// <summary>Writes <paramref name="rows"/> in the open transaction.</summary>
    public static Result Run(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Func<NpgsqlConnection> openConnection, IEnumerable<PollRow> rows,
        int chunkRows, int weekChunkRows, CancellationToken cancellationToken, PollBuffers? buffers = null)
    {
        buffers ??= PollBuffers.Shared;
        var import = new PollImport(connection, transaction, openConnection, buffers);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var filled = new BlockingCollection<Chunk>(1);

        // The connection is used by this thread only; the caller's thread only enumerates and keys.
        var writer = Task.Factory.StartNew(() =>
        {
            try
            {
                foreach (var chunk in filled.GetConsumingEnumerable(stop.Token))
                {
                    import.Write(chunk, stop.Token);
                    chunk.Release();
                }
            }
            catch
            {
                stop.Cancel();
                throw;
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        // Rows are keyed as they are read, with the stores known when the import started: the store id
        // each parsed row carries then dies young, instead of millions of them living until their chunk
        // is written (and making every full garbage collection meanwhile walk them). Rows of stores not
        // known yet keep one shared copy of their id, for the writer to add the store.
        var known = import._stores.Snapshot();
        var newIds = new Dictionary<string, string>(StringComparer.Ordinal);
        var read = 0;
        try
        {
            // A list (the service's JSON polls) says how many rows it has: its chunk is no larger.
            var counted = rows.TryGetNonEnumeratedCount(out var count);
            var chunk = NextChunk();
            var firstChunk = true;
            var lastWeek = long.MinValue;
            foreach (var row in rows)
            {
                var week = PollWeeks.StartOf(row.UnixMicroseconds);
                if (week != lastWeek)
                {
                    if (firstChunk && chunk.Weeks.Count == 1 && chunk.Count >= weekChunkRows)
                    {
                        filled.Add(chunk, stop.Token);
                        chunk = NextChunk();
                        firstChunk = false;
                    }
                    chunk.Weeks.Add(week);
                    lastWeek = week;
                }
                if (!known.TryGetValue(row.StoreId, out var key))
                {
                    key = -1;
                    chunk.Unkeyed.Add((chunk.Count, newIds.TryGetValue(row.StoreId, out var id) ? id : newIds[row.StoreId] = row.StoreId));
                }
                chunk.Add(new KeyedPoll(key, row.UnixMicroseconds, row.Active, chunk.Count));
                read++;
                if (chunk.Count == chunkRows)
                {
                    filled.Add(chunk, stop.Token);
                    chunk = NextChunk();
                    firstChunk = false;
                    lastWeek = long.MinValue;
                }
            }
            if (chunk.Count > 0)
            {
                filled.Add(chunk, stop.Token);
            }
            else
            {
                chunk.Release();
            }

            Chunk NextChunk() => new(buffers, chunkRows, counted ? count - read : chunkRows);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Only the writer failing stops the reading without the caller cancelling: its error is thrown below.
        }
        catch
        {
            stop.Cancel();
            filled.CompleteAdding();
            WaitQuietly(writer);
            throw;
        }
        filled.CompleteAdding();
        writer.GetAwaiter().GetResult();
        import.RaiseLatest();
        if (import._sorted is { } sorted)
        {
            buffers.Return(sorted);
        }
        return new Result(read, import._chunks);
    }

    /// <summary>Polls read from the input, keyed where their store was known, in input order.</summary>
    /// <remarks>
    /// The array is of the chunk's full size from the start (or of the rows expected, when fewer), not
    /// grown by doubling: it is not zeroed, so the memory of polls never written is never touched, where
    /// doubling touched as much again in the arrays it left behind. Fewer rows expected than came take
    /// one step to the full size.
    /// </remarks>
    private sealed class Chunk(PollBuffers buffers, int capacity, int expected)
    {
        private KeyedPoll[] _polls = buffers.Rent(Math.Clamp(expected, 1, capacity));

        public int Count { get; private set; }

        /// <summary>Rows whose store had no key when read: their position and the store's id.</summary>
        public List<(int Index, string StoreId)> Unkeyed { get; } = [];

        /// <summary>The weeks the rows fall in.</summary>
        public HashSet<long> Weeks { get; } = [];

        public Span<KeyedPoll> Polls => _polls.AsSpan(0, Count);

        public void Add(KeyedPoll poll)
        {
            if (Count == _polls.Length)
            {
                var full = buffers.Rent(capacity);
                Polls.CopyTo(full);
                buffers.Return(_polls);
                _polls = full;
            }
            _polls[Count++] = poll;
        }

        /// <summary>Gives the buffer back once the chunk is written.</summary>
        public void Release()
        {
            buffers.Return(_polls);
            _polls = [];
            Count = 0;
        }
    }

    private static void WaitQuietly(Task task)
    {
        try
        {
            task.GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is OperationCanceledException or NpgsqlException or InvalidOperationException or IOException)
        {
            // The transaction rolls back; the reader's error is the one that matters.
        }
    }

    private void Write(Chunk chunk, CancellationToken cancellationToken)
    {
        var polls = chunk.Polls;
        if (chunk.Unkeyed.Count > 0)
        {
            _stores.Resolve(chunk.Unkeyed.Select(static row => row.StoreId));
            foreach (var (index, storeId) in chunk.Unkeyed)
            {
                polls[index] = polls[index] with { Store = _stores[storeId] };
            }
        }
        EnsurePartitions(chunk.Weeks);
        if (_sorted is null || _sorted.Length < polls.Length)
        {
            if (_sorted is not null)
            {
                _buffers.Return(_sorted);
            }
            _sorted = _buffers.Rent(polls.Length);
        }
        _chunks++;
        var sorted = _sorted.AsMemory(0, KeyedPoll.SortKeepingLast(polls, _sorted));
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var poll in sorted.Span)
        {
            if (_latest is not { } latest || poll.At > latest.At)
            {
                _latest = poll;
            }
        }

        if (_copyStraight && _savepoints < MaxSavepoints)
        {
            _transaction.Save("polls");
            _savepoints++;
            try
            {
                // Week by week into each week's partition: PostgreSQL then need not route each row to its
                // partition (about a tenth of a bulk copy's time), and still checks that it belongs there.
                // (A week that retention detaches meanwhile takes the polls copied into it along: they
                // are past retention, as they would be a moment later.)
                if (chunk.Weeks.Count == 1)
                {
                    CopyInto(chunk.Weeks.Single(), sorted.Span, cancellationToken);
                }
                else
                {
                    var byWeek = polls[..sorted.Length];
                    foreach (var (week, rows) in SplitByWeek(sorted.Span, byWeek, chunk.Weeks))
                    {
                        CopyInto(week, byWeek[rows], cancellationToken);
                    }
                }
                _transaction.Release("polls");
                return;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                _transaction.Rollback("polls");
                _copyStraight = false;
            }
        }
        Merge(sorted.Span, cancellationToken);
    }

    // The partitions of the chunk's weeks, and weeks ahead of the newest, made when not known to exist,
    // in a transaction of their own that commits at once. Made in the import's transaction, they held
    // the partition lock until the import's end: an import waiting there for the lock while holding
    // polls that the lock's holder then met (a unique check waits for the other's commit) was a
    // deadlock, and one of the two imports failed. Empty weeks left by an import that fails are the
    // weeks an import makes ahead anyway.
    private void EnsurePartitions(HashSet<long> weeks)
    {
        var wanted = PollWeeks.WithWeeksAhead(weeks);
        if (!_partitions.IsSupersetOf(wanted))
        {
            using (var connection = _openConnection())
            using (var transaction = connection.BeginTransaction())
            {
                PostgresMonitoringStore.EnsurePartitions(connection, wanted);
                transaction.Commit();
            }
            _partitions.UnionWith(wanted);
        }
    }

    /// <summary>
    /// Copies <paramref name="sorted"/> into <paramref name="byWeek"/> grouped by week (of <paramref name="weeks"/>,
    /// the chunk's), oldest first, each week's polls still in (store, time) order; returns each week with
    /// its rows there.
    /// </summary>
    private static List<(long Week, Range Rows)> SplitByWeek(ReadOnlySpan<KeyedPoll> sorted, Span<KeyedPoll> byWeek, HashSet<long> weeks)
    {
        var order = weeks.Order().ToArray();
        var counts = new int[order.Length];
        var last = 0;
        foreach (var poll in sorted)
        {
            counts[last = WeekIndex(order, PollWeeks.StartOf(poll.At), last)]++;
        }
        var split = new List<(long Week, Range Rows)>(order.Length);
        var next = new int[order.Length];
        for (int i = 0, start = 0; i < order.Length; start += counts[i], i++)
        {
            next[i] = start;
            if (counts[i] > 0)
            {
                split.Add((order[i], start..(start + counts[i])));
            }
        }
        last = 0;
        foreach (var poll in sorted)
        {
            byWeek[next[last = WeekIndex(order, PollWeeks.StartOf(poll.At), last)]++] = poll;
        }
        return split;

        // Polls in (store, time) order stay in one week for many rows at a time: the last week is checked first.
        static int WeekIndex(long[] order, long week, int last) => order[last] == week ? last : Array.BinarySearch(order, week);
    }

    // The import's last statement, so the row lock on poll_latest is held only until the commit that
    // follows: concurrent imports meet there one after the other, each keeping the later poll. In a
    // database from before the table, the first import does not know the polls written before it: it
    // searches the whole table once, its own polls included, rather than keep an older poll of its own.
    private void RaiseLatest()
    {
        if (_latest is not { } latest)
        {
            return;
        }
        var store = latest.Store;
        var at = PostgresMonitoringStore.DateTimeOf(latest.At);
        if (_latestUnknown && PostgresReportSnapshot.SearchLatestPoll(_connection) is { } found)
        {
            (store, at) = found;
        }
        PostgresMonitoringStore.Execute(_connection, """
            INSERT INTO poll_latest (store_key, observed_at) VALUES (@store, @at)
            ON CONFLICT (only_row) DO UPDATE SET store_key = excluded.store_key, observed_at = excluded.observed_at
                WHERE poll_latest.observed_at < excluded.observed_at
            """,
            new NpgsqlParameter<long>("store", NpgsqlTypes.NpgsqlDbType.Bigint) { TypedValue = store },
            new NpgsqlParameter<DateTime>("at", NpgsqlTypes.NpgsqlDbType.TimestampTz) { TypedValue = at });
    }

    private void Merge(ReadOnlySpan<KeyedPoll> polls, CancellationToken cancellationToken)
    {
        if (!_stagingMade)
        {
            PostgresMonitoringStore.Execute(_connection, """
                CREATE TEMP TABLE poll_staging (store_key bigint NOT NULL, observed_at timestamptz NOT NULL, active boolean NOT NULL)
                ON COMMIT DROP
                """);
            _stagingMade = true;
        }
        Copy("COPY poll_staging (store_key, observed_at, active) FROM STDIN (FORMAT BINARY)", polls, cancellationToken);
        // Rows whose status is unchanged are left as they are: a re-import rewrites nothing.
        PostgresMonitoringStore.Execute(_connection, """
            INSERT INTO poll (store_key, observed_at, active)
            SELECT store_key, observed_at, active FROM poll_staging
            ON CONFLICT (store_key, observed_at) DO UPDATE SET active = excluded.active
                WHERE poll.active IS DISTINCT FROM excluded.active;
            TRUNCATE poll_staging;
            """);
    }

    private void CopyInto(long week, ReadOnlySpan<KeyedPoll> polls, CancellationToken cancellationToken)
    {
        var table = _detaching.Contains(week) ? "poll" : PollWeeks.NameOf(week);
        Copy($"COPY {table} (store_key, observed_at, active) FROM STDIN (FORMAT BINARY)", polls, cancellationToken);
    }

    // COPY's binary format written by hand, a piece at a time while the server takes the previous
    // pieces: Npgsql's row-by-row importer costs the client about as much per row as the server's
    // insert, and this is a few stores per row.
    private void Copy(string copy, ReadOnlySpan<KeyedPoll> polls, CancellationToken cancellationToken)
    {
        using var stream = _connection.BeginRawBinaryCopy(copy);
        var piece = _piece ??= new byte[Math.Max(CopyHeader.Length, PieceRows * RowBytes) + 2];
        CopyHeader.CopyTo(piece, 0);
        var length = CopyHeader.Length;
        for (var i = 0; i < polls.Length; i++)
        {
            if (length + RowBytes > piece.Length - 2)
            {
                stream.Write(piece, 0, length);
                length = 0;
                if (cancellationToken.IsCancellationRequested)
                {
                    // Ending the stream would complete the copy; the rows sent so far are dropped instead.
                    stream.Cancel();
                    cancellationToken.ThrowIfCancellationRequested();
                }
            }
            var poll = polls[i];
            var row = piece.AsSpan(length, RowBytes);
            BinaryPrimitives.WriteInt16BigEndian(row, 3);
            BinaryPrimitives.WriteInt32BigEndian(row[2..], 8);
            BinaryPrimitives.WriteInt64BigEndian(row[6..], poll.Store);
            BinaryPrimitives.WriteInt32BigEndian(row[14..], 8);
            BinaryPrimitives.WriteInt64BigEndian(row[18..], poll.At - PostgresEpochMicros);
            BinaryPrimitives.WriteInt32BigEndian(row[26..], 1);
            row[30] = poll.Active ? (byte)1 : (byte)0;
            length += RowBytes;
        }
        BinaryPrimitives.WriteInt16BigEndian(piece.AsSpan(length), -1);
        stream.Write(piece, 0, length + 2);
    }

    private static readonly byte[] CopyHeader = [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0, 0, 0, 0, 0, 0, 0, 0, 0];

    // A row: field count, then each field's length and big-endian value (bigint, timestamptz, boolean).
    private const int RowBytes = 2 + (4 + 8) + (4 + 8) + (4 + 1);

    // timestamptz on the wire: microseconds since 2000-01-01 00:00 UTC.
    private const long PostgresEpochMicros = 946_684_800_000_000;
}
