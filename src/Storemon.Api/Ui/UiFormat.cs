using System.Globalization;
using NodaTime;
using NodaTime.Text;
using Storemon.Storage;

namespace Storemon.Api.Ui;

/// <summary>How the pages write times, durations and numbers: the same on every machine, whatever its locale.</summary>
public static class UiFormat
{
    private static readonly InstantPattern Utc = InstantPattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd HH':'mm':'ss 'UTC'");

    public static string Time(Instant? instant) => instant is { } value ? Utc.Format(value) : "";

    /// <summary>How long a report took from its start to its end, or has been running.</summary>
    public static string Duration(ReportRecord report, Instant now) => report.StartedAt is not { } start ? ""
        : Seconds((report.FinishedAt ?? now) - start);

    public static string Seconds(NodaTime.Duration duration) =>
        duration.TotalSeconds < 10 ? duration.TotalSeconds.ToString("0.00 's'", CultureInfo.InvariantCulture)
        : duration.TotalSeconds < 600 ? duration.TotalSeconds.ToString("0.0 's'", CultureInfo.InvariantCulture)
        : duration.TotalMinutes.ToString("0 'min'", CultureInfo.InvariantCulture);

    /// <summary>A number as the report CSV writes it: two decimals.</summary>
    public static string Number(double value) => value.ToString("0.00", CultureInfo.InvariantCulture);

    public static string Count(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    public static string Percent(double? value) => value is { } v ? v.ToString("0.0", CultureInfo.InvariantCulture) + " %" : "–";
}
