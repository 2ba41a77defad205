using System.Globalization;

namespace TradingPlatform.Functions.DataProcessor;

internal enum TimestampParse
{
    Ok,
    BadFormat,
    NotACalendarInstant,
}

/// <summary>Strict ISO 8601 UTC timestamps: <c>YYYY-MM-DDTHH:MM:SS[.F{1,7}]Z</c>, upper-case T and Z, no other offset.</summary>
internal static class Timestamps
{
    private const string OutputFormat = "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'";

    public static TimestampParse TryParseUtc(string text, out DateTime instant)
    {
        instant = default;
        var s = text.AsSpan();
        // 20 characters without fraction; with fraction: '.', 1-7 digits.
        if (s.Length < 20 || s.Length == 21 || s.Length > 21 + TradeBatchRules.MaxFractionDigits)
        {
            return TimestampParse.BadFormat;
        }

        if (s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[^1] != 'Z')
        {
            return TimestampParse.BadFormat;
        }

        if (!Digits(s, 0, 4, out var year) || !Digits(s, 5, 2, out var month) || !Digits(s, 8, 2, out var day)
            || !Digits(s, 11, 2, out var hour) || !Digits(s, 14, 2, out var minute) || !Digits(s, 17, 2, out var second))
        {
            return TimestampParse.BadFormat;
        }

        var ticks = 0;
        if (s.Length > 20)
        {
            var fractionLength = s.Length - 21;
            if (s[19] != '.' || !Digits(s, 20, fractionLength, out var fraction))
            {
                return TimestampParse.BadFormat;
            }

            ticks = fraction;
            for (var i = fractionLength; i < 7; i++)
            {
                ticks *= 10;
            }
        }

        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59)
        {
            return TimestampParse.NotACalendarInstant;
        }

        instant = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).AddTicks(ticks);
        return TimestampParse.Ok;
    }

    /// <summary>Canonical text: whole seconds without fraction, otherwise the fraction without trailing zeros.</summary>
    public static string Format(DateTime utc) => utc.ToString(OutputFormat, CultureInfo.InvariantCulture);

    private static bool Digits(ReadOnlySpan<char> s, int start, int length, out int value)
    {
        value = 0;
        for (var i = start; i < start + length; i++)
        {
            if (!char.IsAsciiDigit(s[i]))
            {
                return false;
            }

            value = (value * 10) + (s[i] - '0');
        }

        return true;
    }
}

internal static class DecimalText
{
    /// <summary>The same value with no trailing zeros in its scale (10.50 -> 10.5, 3.000 -> 3).</summary>
    public static decimal Normalize(decimal value)
    {
        // Dividing by one at scale 28 makes System.Decimal pick the smallest scale that represents the exact result.
        return value / 1.0000000000000000000000000000m;
    }
}
