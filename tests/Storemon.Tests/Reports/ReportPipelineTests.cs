using System.Globalization;
using NodaTime;
using Storemon.Engine;
using Storemon.Reports;
using Storemon.Storage;
using Storemon.Tests.Databases;

namespace Storemon.Tests.Reports;

/// <summary>
/// The report reads on one thread and computes on another, in batches of stores: the rows must come
/// out complete, in order and equal to the engine's, and a failure on either side must fail the report.
/// </summary>
public abstract class ReportPipelineTests(DatabaseKind kind) : DatabaseTest(kind)
{
    private static readonly Instant AsOf = Instant.FromUtc(2023, 1, 25, 18, 0);
    private static readonly string[] Zones = ["America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"];

    private IMonitoringStore Store => Db.Store;

    // Stores spread over several batches (512 stores each), polled every 50 minutes with their own
    // pattern of outages, with hours on some days only.
    private void Fill(int stores)
    {
        var polls = new List<PollRow>();
        var hours = new List<BusinessHoursRow>();
        var zones = new List<TimeZoneRow>();
        var start = (AsOf - Duration.FromDays(8)).ToUnixTimeTicks() / Poll.TicksPerMicrosecond;
        for (var s = 0; s < stores; s++)
        {
            var id = "store-" + s.ToString("D5", CultureInfo.InvariantCulture);
            for (var k = 0; k < 8 * 24 * 60 / 50; k++)
            {
                polls.Add(new PollRow(id, start + (k * 50L * 60_000_000) + (s * 7_000_000L), (k + s) % 7 != 0));
            }
            if (s % 4 != 0)
            {
                hours.Add(new BusinessHoursRow(id, BusinessHours.FromSpecDay(s % 7, Duration.FromHours(8 + (s % 5)), Duration.FromHours(20))));
                hours.Add(new BusinessHoursRow(id, BusinessHours.FromSpecDay((s + 3) % 7, Duration.FromHours(22), Duration.FromHours(2))));
            }
            zones.Add(new TimeZoneRow(id, Zones[s % Zones.Length]));
        }
        Store.WritePolls(polls, CancellationToken.None);
        Store.ReplaceBusinessHours(hours, CancellationToken.None);
        Store.UpsertTimeZones(zones, CancellationToken.None);
    }

    [SkippableFact]
    public void Rows_over_several_batches_come_out_in_store_order_and_equal_the_engine_store_by_store()
    {
        Fill(1_300);

        using var csv = new StringWriter();
        var summary = ReportRunner.Run(Store, new ReportRequest(AsOf), csv);

        var expected = new StringWriter();
        expected.Write(ReportCsv.Header + "\n");
        using (var snapshot = Store.OpenSnapshot())
        {
            var stores = snapshot.Stores();
            var window = new ReportWindow(AsOf);
            var open = new List<(long Start, long End)>();
            snapshot.ReadPolls(window.WeekStart, AsOf, (key, polls) =>
            {
                var record = stores[key];
                var clock = new StoreClock(DateTimeZoneProviders.Tzdb[record.TimeZone!], window.ClockRange);
                BusinessCalendar.OpenIntervals(record.Hours, clock, window, open);
                ReportCsv.WriteRow(expected, record.ExternalId, UptimeCalculator.Measure([.. open], polls, window, Interpolation.Nearest));
            }, CancellationToken.None);
        }

        Assert.Equal(1_300, summary.Stores);
        Assert.Equal(expected.ToString(), csv.ToString());
        var ids = csv.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(line => line.Split(',')[0]).ToList();
        Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
    }

    [SkippableFact]
    public void A_store_whose_zone_this_build_does_not_know_fails_the_whole_report_with_its_id()
    {
        Fill(1_300);
        Assert.Equal(1, Db.Execute("UPDATE store SET time_zone = 'Mars/Olympus_Mons' WHERE external_id = 'store-01100'"));

        using var csv = new StringWriter();
        var error = Assert.Throws<InvalidDataException>(() => ReportRunner.Run(Store, new ReportRequest(AsOf), csv));

        Assert.Contains("store-01100", error.Message, StringComparison.Ordinal);
        Assert.Contains("Mars/Olympus_Mons", error.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void A_cancelled_report_stops_with_a_cancellation()
    {
        Fill(1_300);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() =>
            ReportRunner.Run(Store, new ReportRequest(AsOf), new StringWriter(), cancellationToken: cancelled.Token));
    }
}

public sealed class ReportPipelineTests_Sqlite() : ReportPipelineTests(DatabaseKind.Sqlite);

public sealed class ReportPipelineTests_Postgres() : ReportPipelineTests(DatabaseKind.Postgres);
