using System.Diagnostics.CodeAnalysis;
using NodaTime;
using Storemon.Engine;
using Storemon.Storage;

namespace Storemon.Import;

/// <summary>
/// Business hours: <c>store_id, dayOfWeek, start_time_local, end_time_local</c>, the day also as
/// <c>day</c> (the 2023 file's name for it). 0 = Monday … 6 = Sunday; <c>24:00</c> only as an end.
/// </summary>
internal sealed class BusinessHoursCsv : ICsvKind<BusinessHoursRow>
{
    private const int DayOfWeek = 1;
    private const int Start = 2;
    private const int End = 3;

    public static ImportKind Kind => ImportKind.BusinessHours;

    public static IReadOnlyList<CsvColumn> Columns { get; } =
        [CsvImporter.StoreIdColumn, new("dayOfWeek", "day"), new("start_time_local"), new("end_time_local")];

    public static bool TryParse(CsvTable row, string storeId, ImportRules rules, out BusinessHoursRow hours, [NotNullWhen(false)] out string? reason)
    {
        hours = default;
        var dayText = row.Field(DayOfWeek);
        if (dayText.Length is 0 or > 9 || !TimestampParser.TryDigits(dayText, 0, dayText.Length, out var day))
        {
            reason = $"dayOfWeek {CsvTable.Quote(dayText)} is not a whole number from 0 (Monday) to 6 (Sunday).";
            return false;
        }
        if (day > 6)
        {
            reason = $"dayOfWeek {CsvTable.Quote(dayText)} is outside 0 (Monday) to 6 (Sunday).";
            return false;
        }
        if (!TryTime(row, Start, "start_time_local", out var start, out reason) || !TryTime(row, End, "end_time_local", out var end, out reason))
        {
            return false;
        }
        if (start == BusinessHours.MaxEnd)
        {
            reason = "start_time_local 24:00 is the end of the day; it is only allowed as an end time.";
            return false;
        }

        hours = new BusinessHoursRow(storeId, BusinessHours.FromSpecDay(day, start, end));
        return true;
    }

    public static int Write(IMonitoringStore store, IEnumerable<BusinessHoursRow> rows, CancellationToken cancellationToken) =>
        store.ReplaceBusinessHours(rows, cancellationToken);

    private static bool TryTime(CsvTable row, int column, string name, out Duration time, [NotNullWhen(false)] out string? reason)
    {
        var text = row.Field(column);
        if (TimeOfDayParser.TryParse(text, out time))
        {
            reason = null;
            return true;
        }
        reason = $"{name} {CsvTable.Quote(text)} is not a time of day (HH:MM[:SS[.ffffff]], 00:00 to 23:59:59.999999, or 24:00 as an end).";
        return false;
    }
}
