using Storemon.Api.Access;
using Storemon.Tests.Databases;

namespace Storemon.Tests.Storage;

/// <summary>The data-protection key ring as every database keeps it: added in order, kept exactly, never replaced.</summary>
public abstract class DataProtectionKeyStoreTests(DatabaseKind kind) : DatabaseTest(kind)
{
    // As the key manager writes them: one line of XML, with the secret inside.
    private static string KeyXml(string id, string secret) =>
        $"""<key id="{id}" version="1"><creationDate>2024-10-03T12:00:00.1234567Z</creationDate><descriptor><masterKey>{secret}</masterKey></descriptor></key>""";

    private const string First = "key-6f3a1b52-9d44-4c3e-8f0a-2b7d1e5c9a01";

    private IDataProtectionKeyStore? _keys;

    /// <summary>The key ring over the test's database, as the service opens it (after the schema is migrated).</summary>
    private IDataProtectionKeyStore Keys => _keys ??= OtherProcess();

    /// <summary>A key ring of its own over the same database, as another API process would open it.</summary>
    private IDataProtectionKeyStore OtherProcess()
    {
        _ = Db.Store; // migrated
        return DataProtectionKeys.Open(Db.Connection);
    }
    private const string Second = "key-0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9";

    [SkippableFact]
    public void A_new_database_has_no_keys()
    {
        Assert.Empty(Keys.ListDataProtectionKeys());
    }

    [SkippableFact]
    public void Keys_read_back_exactly_and_in_the_order_they_were_added_also_by_another_process()
    {
        // The second name sorts before the first: the order is the order of adding, not of names.
        var multiLine = KeyXml("6f3a1b52", "AAECAwQF/+8=") + "\n  <!-- é, ü, 日本 -->\n";

        Assert.True(Keys.AddDataProtectionKey(First, multiLine));
        Assert.True(Keys.AddDataProtectionKey(Second, KeyXml("0b1c2d3e", "ZmVkY2Jh")));

        var other = OtherProcess();
        Assert.Equal(
            [new DataProtectionKey(First, multiLine), new DataProtectionKey(Second, KeyXml("0b1c2d3e", "ZmVkY2Jh"))],
            other.ListDataProtectionKeys());
    }

    [SkippableFact]
    public void A_key_is_never_replaced_by_another_of_the_same_name()
    {
        Keys.AddDataProtectionKey(First, KeyXml("6f3a1b52", "original"));

        var added = Keys.AddDataProtectionKey(First, KeyXml("6f3a1b52", "replacement"));

        Assert.False(added);
        Assert.Equal([new DataProtectionKey(First, KeyXml("6f3a1b52", "original"))], Keys.ListDataProtectionKeys());
    }

    [SkippableFact]
    public async Task Processes_adding_the_same_key_at_once_all_succeed_and_it_is_stored_once()
    {
        const int Processes = 8;
        var stores = Enumerable.Range(0, Processes).Select(_ => OtherProcess()).ToArray();
        using var start = new Barrier(Processes);
        // Each its own store (its own connections), as separate API processes would be; all start together.
        var adds = stores.Select(store => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            return (Same: store.AddDataProtectionKey(First, KeyXml("6f3a1b52", "same")),
                    Own: store.AddDataProtectionKey($"key-{Array.IndexOf(stores, store):D2}", KeyXml("own", "own")));
        }, TaskCreationOptions.LongRunning)).ToArray();
        var results = await Task.WhenAll(adds);

        Assert.Equal(1, results.Count(r => r.Same));
        Assert.All(results, r => Assert.True(r.Own));
        Assert.Equal(1 + Processes, Db.Count("data_protection_key"));
        Assert.Equal(1, Db.Scalar($"SELECT count(*) FROM data_protection_key WHERE name = '{First}'"));
    }

    [SkippableFact]
    public void The_key_ring_lock_lets_one_process_in_at_a_time_so_the_first_key_is_made_once()
    {
        var other = OtherProcess();
        var seen = new List<string>();
        Task<bool>? secondMadeAKey = null;

        Keys.WithKeyRingLocked(() =>
        {
            // As a starting process: no key yet, so it makes one, while another process starts too.
            secondMadeAKey = Task.Run(() =>
            {
                var made = false;
                other.WithKeyRingLocked(() =>
                {
                    lock (seen)
                    {
                        seen.Add("second in");
                    }
                    made = other.ListDataProtectionKeys().Count == 0 && other.AddDataProtectionKey(Second, KeyXml("0b1c2d3e", "second"));
                }, TimeSpan.FromSeconds(30));
                return made;
            });
            Assert.Empty(Keys.ListDataProtectionKeys());
            Assert.True(Keys.AddDataProtectionKey(First, KeyXml("6f3a1b52", "first")));
            // The other process must still be waiting, however long this one takes.
            Assert.False(secondMadeAKey.Wait(TimeSpan.FromMilliseconds(500)));
            lock (seen)
            {
                seen.Add("first out");
            }
        }, TimeSpan.FromSeconds(30));

        Assert.True(secondMadeAKey!.Wait(TimeSpan.FromSeconds(30)), "the second process never got the lock");
        Assert.False(secondMadeAKey.Result);
        Assert.Equal(["first out", "second in"], seen);
        Assert.Equal([new DataProtectionKey(First, KeyXml("6f3a1b52", "first"))], Keys.ListDataProtectionKeys());
    }

    // A process stuck while holding the lock must not hang every other process's start: the wait ends,
    // with an error that says what is going on.
    [SkippableFact]
    public async Task Waiting_for_the_key_ring_lock_ends_with_a_clear_error_after_the_timeout()
    {
        var other = OtherProcess();
        using var holding = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var holder = Task.Run(() => Keys.WithKeyRingLocked(() =>
        {
            holding.Set();
            release.Wait(TimeSpan.FromSeconds(30));
        }, TimeSpan.FromSeconds(30)));
        Assert.True(holding.Wait(TimeSpan.FromSeconds(30)));

        var waited = System.Diagnostics.Stopwatch.StartNew();
        var error = Assert.Throws<TimeoutException>(() => other.WithKeyRingLocked(() => Assert.Fail("ran without the lock"), TimeSpan.FromMilliseconds(300)));

        Assert.InRange(waited.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(10));
        Assert.StartsWith("The data-protection key ring stayed locked by another process over this database for 0.3 s", error.Message, StringComparison.Ordinal);
        release.Set();
        await holder;
        // Released, it is free again, and the timed-out wait left nothing held.
        var ran = false;
        other.WithKeyRingLocked(() => ran = true, TimeSpan.FromSeconds(5));
        Assert.True(ran);
    }
}

public sealed class DataProtectionKeyStoreTests_Sqlite() : DataProtectionKeyStoreTests(DatabaseKind.Sqlite);

public sealed class DataProtectionKeyStoreTests_Postgres() : DataProtectionKeyStoreTests(DatabaseKind.Postgres);
