using NodaTime;
using Storemon.Engine;
using Storemon.Reports;
using Storemon.Storage;
using Storemon.Tests.Databases;

namespace Storemon.Tests.Engine;

/// <summary>
/// Reports over a real database of the test's own: rows are collected, written through the store
/// when a report runs, and the report's CSV comes back split into fields.
/// </summary>
internal sealed class ReportDatabase(TestDatabase database)
{
    private readonly List<PollRow> _polls = [];
    private readonly List<BusinessHoursRow> _hours = [];
    private readonly List<TimeZoneRow> _zones = [];

    private IMonitoringStore Store => database.Store;

    public ReportDatabase Poll(string storeId, Instant at, bool active)
    {
        _polls.Add(new PollRow(storeId, at.ToUnixTimeTicks() / global::Storemon.Engine.Poll.TicksPerMicrosecond, active));
        return this;
    }

    /// <summary>A business-hours row: <paramref name="specDay"/> 0 = Monday … 6 = Sunday, times "HH:mm".</summary>
    public ReportDatabase Hours(string storeId, int specDay, string start, string end) =>
        Hours(storeId, BusinessHours.FromSpecDay(specDay, TestStore.TimeOfDay(start), TestStore.TimeOfDay(end)));

    public ReportDatabase Hours(string storeId, BusinessHours hours)
    {
        _hours.Add(new BusinessHoursRow(storeId, hours));
        return this;
    }

    public ReportDatabase Zone(string storeId, string zone)
    {
        _zones.Add(new TimeZoneRow(storeId, zone));
        return this;
    }

    /// <summary>Runs a report and returns its rows after the header, each split into its seven fields.</summary>
    public IReadOnlyList<string[]> Report(Instant? asOf = null, Interpolation interpolation = Interpolation.Nearest)
    {
        Flush();
        using var csv = new StringWriter();
        ReportRunner.Run(Store, new ReportRequest(asOf, interpolation), csv);
        var lines = csv.ToString().Split('\n');
        Assert.Equal(ReportCsv.Header, lines[0]);
        Assert.Equal("", lines[^1]);
        return [.. lines[1..^1].Select(line => line.Split(','))];
    }

    /// <summary>The six values of one store's row in a report.</summary>
    public string[] ReportRow(string storeId, Instant? asOf = null, Interpolation interpolation = Interpolation.Nearest) =>
        Assert.Single(Report(asOf, interpolation), row => row[0] == storeId)[1..];

    private void Flush()
    {
        if (_polls.Count > 0)
        {
            Store.WritePolls(_polls, CancellationToken.None);
        }
        if (_hours.Count > 0)
        {
            Store.ReplaceBusinessHours(_hours, CancellationToken.None);
        }
        if (_zones.Count > 0)
        {
            Store.UpsertTimeZones(_zones, CancellationToken.None);
        }
        _polls.Clear();
        _hours.Clear();
        _zones.Clear();
    }
}
