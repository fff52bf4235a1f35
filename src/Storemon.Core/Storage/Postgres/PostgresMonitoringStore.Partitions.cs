using System.Globalization;
using Npgsql;
using NodaTime;

namespace Storemon.Storage.Postgres;

/// <summary>
/// The weeks of the poll table: one partition per week, Monday 00:00 UTC to the next Monday, named
/// after its Monday (<c>poll_20230116</c>). A report reads the partitions of its week (and, for a
/// store's latest poll before the week, the newest older partition holding one); retention drops
/// whole weeks.
/// </summary>
public sealed partial class PostgresMonitoringStore
{
    /// <summary>
    /// Makes sure every week that [<paramref name="from"/>, <paramref name="to"/>] touches has its
    /// partition; returns how many were created. Imports do this by themselves for the weeks of their
    /// rows (and <see cref="PollWeeks.Ahead"/> weeks past the newest).
    /// </summary>
    public int EnsurePollPartitions(Instant from, Instant to)
    {
        if (to < from)
        {
            throw new ArgumentException($"The end {to} is before the start {from}.", nameof(to));
        }
        var weeks = new List<long>();
        for (var week = PollWeeks.StartOf(Micros(from)); week <= Micros(to); week += PollWeeks.Length)
        {
            weeks.Add(week);
        }
        using var connection = _dataSource.OpenConnection();
        using var transaction = connection.BeginTransaction();
        var created = EnsurePartitions(connection, weeks);
        transaction.Commit();
        return created;
    }

    /// <summary>
    /// Drops every poll partition whose week ends at or before <paramref name="cutoff"/> (its polls are
    /// all older than the cutoff), and nothing newer; returns how many. Each is detached concurrently
    /// first, so reports and imports running meanwhile are neither blocked nor broken. When another
    /// process is already dropping partitions, returns 0 and leaves it to that one.
    /// </summary>
    public int DropPollPartitionsBefore(Instant cutoff)
    {
        var cutoffMicros = Micros(cutoff);
        using var connection = _dataSource.OpenConnection();
        using (var tryLock = new NpgsqlCommand($"SELECT pg_try_advisory_lock({RetentionLock})", connection))
        {
            if (tryLock.ExecuteScalar() is not true)
            {
                return 0;
            }
        }
        try
        {
            var dropped = 0;
            foreach (var (name, week, detachPending) in Partitions(connection))
            {
                if (week + PollWeeks.Length > cutoffMicros)
                {
                    continue;
                }
                // DETACH … CONCURRENTLY waits for the transactions that may still read the partition
                // instead of locking the whole table; it cannot run in a transaction block, so each
                // statement runs on its own. One interrupted half way is left pending: finish it.
                Execute(connection, detachPending
                    ? $"ALTER TABLE poll DETACH PARTITION {name} FINALIZE"
                    : $"ALTER TABLE poll DETACH PARTITION {name} CONCURRENTLY");
                Execute(connection, $"DROP TABLE {name}");
                dropped++;
            }
            return dropped;
        }
        finally
        {
            Execute(connection, $"SELECT pg_advisory_unlock({RetentionLock})");
        }
    }

    /// <summary>The poll partitions with the Monday (microseconds since the Unix epoch) each begins, oldest first.</summary>
    internal static List<(string Name, long Week, bool DetachPending)> Partitions(NpgsqlConnection connection)
    {
        using var command = new NpgsqlCommand("""
            SELECT c.relname, i.inhdetachpending
            FROM pg_inherits AS i JOIN pg_class AS c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'poll'::regclass
            """, connection);
        using var reader = command.ExecuteReader();
        var partitions = new List<(string, long, bool)>();
        while (reader.Read())
        {
            var name = reader.GetString(0);
            if (PollWeeks.TryParseName(name, out var week))
            {
                partitions.Add((name, week, reader.GetBoolean(1)));
            }
        }
        partitions.Sort(static (a, b) => a.Item2.CompareTo(b.Item2));
        return partitions;
    }

    // Creates the missing partitions of the given weeks, in the caller's transaction; returns how many.
    // CREATE TABLE … PARTITION OF would lock the whole poll table exclusively (every running report
    // would hold up the import, and the import every report after it); a table created apart and then
    // ATTACHed takes a lock that reads and writes of other partitions do not wait for.
    internal static int EnsurePartitions(NpgsqlConnection connection, IReadOnlyCollection<long> weeks)
    {
        if (weeks.Count == 0 || Missing(connection, weeks).Count == 0)
        {
            return 0;
        }
        // Two imports needing the same new week would both create it: one waits for the other and
        // then finds it made (the lock ends with the transaction).
        Execute(connection, $"SELECT pg_advisory_xact_lock({PartitionLock})");
        var missing = Missing(connection, weeks);
        foreach (var week in missing)
        {
            var name = PollWeeks.NameOf(week);
            Execute(connection, $"""
                CREATE TABLE {name} (LIKE poll INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
                ALTER TABLE poll ATTACH PARTITION {name}
                    FOR VALUES FROM ('{PollWeeks.Literal(week)}') TO ('{PollWeeks.Literal(week + PollWeeks.Length)}');
                """);
        }
        return missing.Count;
    }

    private static List<long> Missing(NpgsqlConnection connection, IReadOnlyCollection<long> weeks)
    {
        var existing = Partitions(connection).Select(static partition => partition.Week).ToHashSet();
        return [.. weeks.Where(week => !existing.Contains(week)).Distinct().Order()];
    }

    private static long Micros(Instant instant) => instant.ToUnixTimeTicks() / Engine.Poll.TicksPerMicrosecond;
}

/// <summary>The weekly partitioning of polls: Monday 00:00 UTC boundaries, in microseconds since the Unix epoch.</summary>
public static class PollWeeks
{
    /// <summary>A week in microseconds.</summary>
    public const long Length = 7L * 24 * 3600 * 1_000_000;

    /// <summary>How many empty weeks imports keep ready past the newest poll, so that polls crossing into a new week find its partition made.</summary>
    public const int Ahead = 4;

    // 1970-01-01 was a Thursday: the first Monday is four days later.
    private const long FirstMonday = 4L * 24 * 3600 * 1_000_000;

    /// <summary>The Monday 00:00 UTC that begins the week of <paramref name="unixMicroseconds"/>.</summary>
    public static long StartOf(long unixMicroseconds)
    {
        var (weeks, rest) = Math.DivRem(unixMicroseconds - FirstMonday, Length);
        // Division rounds toward zero; a time before the first Monday belongs to the week before.
        return ((rest < 0 ? weeks - 1 : weeks) * Length) + FirstMonday;
    }

    /// <summary>The weeks given, and <see cref="Ahead"/> weeks past the newest of them.</summary>
    public static IReadOnlyCollection<long> WithWeeksAhead(IReadOnlyCollection<long> weeks)
    {
        if (weeks.Count == 0)
        {
            return weeks;
        }
        var newest = weeks.Max();
        var all = new HashSet<long>(weeks);
        // No week past the last one a poll can be in (that of 9999-12-31): no partition could be named for it.
        for (var i = 1; i <= Ahead && newest + (i * Length) <= LastMicrosecond; i++)
        {
            all.Add(newest + (i * Length));
        }
        return all;
    }

    private static readonly long LastMicrosecond = (DateTime.MaxValue.Ticks - DateTime.UnixEpoch.Ticks) / 10;

    /// <summary>The partition of the week beginning at <paramref name="week"/>: <c>poll_YYYYMMDD</c>, its Monday.</summary>
    public static string NameOf(long week) =>
        "poll_" + DateTime.UnixEpoch.AddTicks(week * 10).ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    internal static bool TryParseName(string name, out long week)
    {
        week = 0;
        if (!name.StartsWith("poll_", StringComparison.Ordinal)
            || !DateTime.TryParseExact(name["poll_".Length..], "yyyyMMdd", CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var monday))
        {
            return false;
        }
        week = (monday.Ticks - DateTime.UnixEpoch.Ticks) / 10;
        return StartOf(week) == week;
    }

    /// <summary>A timestamptz literal of the instant, in UTC, as partition bounds are written.</summary>
    /// <remarks>The week of 9999-12-31 ends in year 10000, past what a DateTime holds: its partition is open-ended.</remarks>
    internal static string Literal(long unixMicroseconds) =>
        unixMicroseconds > LastMicrosecond
            ? "infinity"
            : DateTime.UnixEpoch.AddTicks(unixMicroseconds * 10).ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture) + "+00";
}
