using NodaTime;
using Storemon.Engine;

namespace Storemon.Storage;

/// <summary>
/// Builds the store list a report reads, from rows as any database returns them: the hours rows
/// first, ordered by store (so each store's hours arrive together), then the stores.
/// </summary>
internal sealed class StoreRecords
{
    private readonly Dictionary<long, BusinessHours[]> _hours = [];
    private readonly List<BusinessHours> _rows = [];
    private readonly Dictionary<string, string> _zones = new(StringComparer.Ordinal);
    private readonly Dictionary<long, StoreRecord> _stores = [];
    private long _current = long.MinValue;

    public void AddHours(long store, int specDay, long startMicroseconds, long endMicroseconds)
    {
        if (store != _current)
        {
            EndHours();
            _current = store;
        }
        _rows.Add(BusinessHours.FromSpecDay(
            specDay,
            Duration.FromTicks(startMicroseconds * Poll.TicksPerMicrosecond),
            Duration.FromTicks(endMicroseconds * Poll.TicksPerMicrosecond)));
    }

    public void AddStore(long key, string externalId, string? zone)
    {
        EndHours();
        // A few hundred zone names serve thousands of stores: keep one string of each.
        if (zone is not null)
        {
            zone = _zones.TryGetValue(zone, out var known) ? known : _zones[zone] = zone;
        }
        _stores[key] = new StoreRecord(key, externalId, zone, _hours.GetValueOrDefault(key, []));
    }

    public IReadOnlyDictionary<long, StoreRecord> Stores => _stores;

    private void EndHours()
    {
        if (_rows.Count > 0)
        {
            _hours[_current] = [.. _rows];
            _rows.Clear();
        }
    }
}
