namespace Storemon.Generate;

/// <summary>A poll as the schedule makes it: the store's position in its data set, the time in microseconds since the Unix epoch, the status.</summary>
internal readonly record struct ScheduledPoll(int Store, long UnixMicroseconds, bool Active);

/// <summary>
/// The polls of a set of stores over a span of time, made up store by store from a seeded generator
/// and handed out in time order.
/// </summary>
/// <remarks>
/// The schedule streams: it walks the span an hour at a time, asks every store for its polls in that
/// hour and sorts just those. Memory holds one hour of polls and each store's few parameters, never
/// the whole data set, so ten times the public data (20 million polls) costs no more memory than
/// one hour of it. Each store keeps a cursor, its next poll, so that a poll jittered across the edge
/// of an hour lands in the hour it really falls in and the output is strictly in time order.
/// </remarks>
internal static class PollSchedule
{
    private const long MicrosPerMinute = 60_000_000;
    private const long MicrosPerHour = 60 * MicrosPerMinute;

    /// <summary>
    /// The polls of <paramref name="storeCount"/> stores in [<paramref name="start"/>, <paramref name="end"/>]
    /// (Unix microseconds). The latest poll, when the last hour has one, is moved onto <paramref name="end"/>
    /// itself, so that a report over the data defaults to the end the caller asked for.
    /// </summary>
    public static IEnumerable<ScheduledPoll> Polls(int storeCount, long start, long end, int seed, CancellationToken cancellationToken)
    {
        var random = new Random(seed);
        var stores = new StoreBehaviour[storeCount];
        for (var i = 0; i < stores.Length; i++)
        {
            stores[i] = StoreBehaviour.Sample(random, start, end);
        }

        // At most two polls a store in an hour (the 30-minute stores), and a third when jitter lets one in early.
        var times = new long[Math.Max(16, storeCount * 3)];
        var storesAndStatus = new int[times.Length];
        var hours = Math.Max(1, (end - start + MicrosPerHour - 1) / MicrosPerHour);
        for (var hour = 0L; hour < hours; hour++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var hourEnd = hour == hours - 1 ? end + 1 : start + (hour + 1) * MicrosPerHour;
            var count = 0;
            for (var store = 0; store < stores.Length; store++)
            {
                var behaviour = stores[store];
                while (behaviour.NextPoll < hourEnd)
                {
                    if (behaviour.TakeNext(random, start, end, out var time, out var active))
                    {
                        times[count] = time;
                        storesAndStatus[count] = (store << 1) | (active ? 1 : 0);
                        count++;
                    }
                }
            }
            Array.Sort(times, storesAndStatus, 0, count);
            if (hour == hours - 1 && count > 0)
            {
                times[count - 1] = end;
            }
            for (var i = 0; i < count; i++)
            {
                yield return new ScheduledPoll(storesAndStatus[i] >> 1, times[i], (storesAndStatus[i] & 1) == 1);
            }
        }
    }

    /// <summary>
    /// How one store is polled and how it behaves. The shares below are chosen so that the public 2023
    /// stores over the public 7.75 days give about 2 million polls (the public status file had 1.8 million), and
    /// a typical store is active in 90–97 % of its polls.
    /// </summary>
    private sealed class StoreBehaviour
    {
        private const double HalfHourlyShare = 0.10;
        private const double MostlyDownShare = 0.01;
        private const double MissingDayShare = 0.10;
        private const double LateStartShare = 0.04;
        private const double EarlyStopShare = 0.02;
        private const double PollerGapsPerWeek = 6.5;
        private const double OutagesPerWeek = 1.5;
        private const long Jitter = 4 * MicrosPerMinute;
        private const long MicrosPerDay = 24 * MicrosPerHour;

        private long _cadence;
        private long _nominal;
        private double _missRate;
        private double _activeRate;
        private (long From, long To)[] _silent = [];
        private (long From, long To)[] _down = [];

        /// <summary>The time of the store's next poll (whether or not it will be recorded).</summary>
        public long NextPoll { get; private set; }

        public static StoreBehaviour Sample(Random random, long start, long end)
        {
            var span = end - start;
            var weeks = span / (7.0 * MicrosPerDay);
            var behaviour = new StoreBehaviour
            {
                _cadence = random.NextDouble() < HalfHourlyShare ? 30 * MicrosPerMinute : MicrosPerHour,
                // Polls are missed one at a time too: a timeout, a dropped request.
                _missRate = 0.01 + (0.05 * random.NextDouble()),
            };
            var mostlyDown = random.NextDouble() < MostlyDownShare;
            behaviour._activeRate = mostlyDown ? 0.03 + (0.2 * random.NextDouble()) : 0.95 + (0.045 * random.NextDouble());

            // Silence: no row at all. The poller falls behind for hours at a time, some stores join the
            // platform during the span or leave it, and some lose a whole UTC day of rows.
            var silent = new List<(long, long)>();
            AddRandomWindows(silent, random, start, end, PollerGapsPerWeek * weeks, 3 * MicrosPerHour, 12 * MicrosPerHour);
            if (random.NextDouble() < LateStartShare)
            {
                silent.Add((start, start + Fraction(random, span)));
            }
            if (random.NextDouble() < EarlyStopShare)
            {
                silent.Add((end - Fraction(random, span / 2), end + 1));
            }
            var firstDay = (start + MicrosPerDay - 1) / MicrosPerDay;
            var wholeDays = (end / MicrosPerDay) - firstDay;
            if (random.NextDouble() < MissingDayShare && wholeDays > 0)
            {
                var day = (firstDay + random.NextInt64(wholeDays)) * MicrosPerDay;
                silent.Add((day, day + MicrosPerDay));
            }
            behaviour._silent = [.. silent];

            // Outages: a run of inactive polls lasting a few hours.
            var down = new List<(long, long)>();
            if (!mostlyDown)
            {
                AddRandomWindows(down, random, start, end, OutagesPerWeek * weeks, 90 * MicrosPerMinute, 6 * MicrosPerHour);
            }
            behaviour._down = [.. down];

            // Each store polls at its own minute of the hour; the first slot is one cadence early so
            // that jitter can still put a poll right at the start.
            behaviour._nominal = start + Fraction(random, behaviour._cadence) - behaviour._cadence;
            behaviour.NextPoll = behaviour.Jittered(random);
            return behaviour;
        }

        /// <summary>
        /// Takes the next poll and moves on to the one after; false when the poll leaves no row (outside
        /// the span, in a silence, or missed).
        /// </summary>
        public bool TakeNext(Random random, long start, long end, out long time, out bool active)
        {
            time = NextPoll;
            active = false;
            var recorded = time >= start && time <= end && !Within(_silent, time) && random.NextDouble() >= _missRate;
            if (recorded)
            {
                active = !Within(_down, time) && random.NextDouble() < _activeRate;
            }
            _nominal += _cadence;
            NextPoll = Jittered(random);
            return recorded;
        }

        // Jitter stays well under half the cadence, so a store's polls never change order.
        private long Jittered(Random random) => _nominal + random.NextInt64(-Jitter, Jitter + 1);

        private static bool Within((long From, long To)[] windows, long time)
        {
            foreach (var (from, to) in windows)
            {
                if (time >= from && time < to)
                {
                    return true;
                }
            }
            return false;
        }

        /// <summary>A random count (on average <paramref name="mean"/>) of windows of random length anywhere over the span.</summary>
        private static void AddRandomWindows(List<(long, long)> windows, Random random, long start, long end, double mean, long shortest, long longest)
        {
            var count = random.Next((int)Math.Round(2 * mean) + 1);
            for (var i = 0; i < count; i++)
            {
                var length = shortest + Fraction(random, longest - shortest);
                var from = start - length + Fraction(random, end - start + length);
                windows.Add((from, from + length));
            }
        }

        private static long Fraction(Random random, long whole) => whole <= 0 ? 0 : random.NextInt64(whole);
    }
}
