namespace Storemon.Generate;

/// <summary>A business-hours row as text, for the store at <see cref="Store"/> in its catalog.</summary>
internal readonly record struct HoursEntry(int Store, string Day, string Start, string End);

/// <summary>A time-zone row as text, for the store at <see cref="Store"/> in its catalog.</summary>
internal readonly record struct ZoneEntry(int Store, string Zone);

/// <summary>
/// The stores of a data set before it is scaled: their ids in a fixed order, and their hours and
/// zone rows as text. The rows stay text because the generator passes them on, it does not judge
/// them: a bad row of an input file reaches the importer, which rejects it.
/// </summary>
internal sealed class StoreCatalog
{
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);

    public List<string> Ids { get; } = [];

    public List<HoursEntry> Hours { get; } = [];

    public List<ZoneEntry> Zones { get; } = [];

    /// <summary>The index of a store id, adding it when it is new; first seen, first listed.</summary>
    public int IndexOf(string storeId)
    {
        if (!_index.TryGetValue(storeId, out var index))
        {
            index = Ids.Count;
            _index.Add(storeId, index);
            Ids.Add(storeId);
        }
        return index;
    }
}
