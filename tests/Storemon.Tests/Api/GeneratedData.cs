using System.Text;
using Storemon.Generate;
using Storemon.Import;
using Storemon.Storage;

namespace Storemon.Tests.Api;

/// <summary>Generated data sets put into a database the way an operator would: hours and zones through the CSV import, polls in one write.</summary>
internal static class GeneratedData
{
    /// <summary>Imports <paramref name="data"/> into <paramref name="store"/> and returns the poll rows written.</summary>
    public static int Import(IMonitoringStore store, SyntheticDataSet data)
    {
        using (var hours = Csv(data.WriteHours))
        {
            Assert.Equal(0, CsvImporter.ImportBusinessHours(store, hours, "menu_hours.csv").Rejected);
        }
        using (var zones = Csv(data.WriteTimeZones))
        {
            Assert.Equal(0, CsvImporter.ImportTimeZones(store, zones, "timezones.csv").Rejected);
        }
        return store.WritePolls(data.Polls(), CancellationToken.None);
    }

    private static MemoryStream Csv(Action<TextWriter, CancellationToken> write)
    {
        using var text = new StringWriter();
        write(text, CancellationToken.None);
        return new MemoryStream(new UTF8Encoding(false).GetBytes(text.ToString()));
    }
}
