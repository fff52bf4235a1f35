using NodaTime;

namespace Storemon.Tests.Import;

public sealed class TimeZoneNameTests
{
    [Fact]
    public void No_two_tz_database_ids_differ_only_in_case()
    {
        // The importer finds zone names regardless of case; this makes that lookup unambiguous.
        var ids = DateTimeZoneProviders.Tzdb.Ids;
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }
}
