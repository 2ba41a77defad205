using System.Globalization;

namespace TradingPlatform.Functions.DataProcessor.Validation;

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
        if (text.Length > 21 + TradeBatchRules.MaxFractionDigits || !System.Text.Ascii.IsValid(text))
        {
            return TimestampParse.BadFormat;
        }

        Span<byte> ascii = stackalloc byte[text.Length];
        System.Text.Encoding.ASCII.GetBytes(text, ascii);
        return TryParseUtc(ascii, out instant);
    }

    /// <summary>The same on the UTF-8 bytes of the JSON string (no string is made for a timestamp).</summary>
    public static TimestampParse TryParseUtc(ReadOnlySpan<byte> s, out DateTime instant)
    {
        instant = default;
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

    /// <summary>Longest canonical text: 2026-11-24T15:04:05.1234567Z.</summary>
    public const int MaxUtf8Length = 28;

    /// <summary>
    /// <see cref="Format(DateTime)"/> written as ASCII into <paramref name="destination"/> (at least
    /// <see cref="MaxUtf8Length"/> bytes); returns the byte count. Same text, no string.
    /// </summary>
    public static int FormatUtf8(DateTime utc, Span<byte> destination)
    {
        Write(destination[..4], utc.Year);
        destination[4] = (byte)'-';
        Write(destination[5..7], utc.Month);
        destination[7] = (byte)'-';
        Write(destination[8..10], utc.Day);
        destination[10] = (byte)'T';
        Write(destination[11..13], utc.Hour);
        destination[13] = (byte)':';
        Write(destination[14..16], utc.Minute);
        destination[16] = (byte)':';
        Write(destination[17..19], utc.Second);
        var position = 19;
        var fraction = (int)(utc.Ticks % TimeSpan.TicksPerSecond);
        if (fraction != 0)
        {
            var digits = 7;
            while (fraction % 10 == 0)
            {
                fraction /= 10;
                digits--;
            }

            destination[position++] = (byte)'.';
            Write(destination.Slice(position, digits), fraction);
            position += digits;
        }

        destination[position++] = (byte)'Z';
        return position;
    }

    /// <summary>Writes <paramref name="value"/> as exactly destination.Length digits, zero-padded.</summary>
    private static void Write(Span<byte> destination, int value)
    {
        for (var i = destination.Length - 1; i >= 0; i--)
        {
            destination[i] = (byte)('0' + (value % 10));
            value /= 10;
        }
    }

    private static bool Digits(ReadOnlySpan<byte> s, int start, int length, out int value)
    {
        value = 0;
        for (var i = start; i < start + length; i++)
        {
            if (s[i] is < (byte)'0' or > (byte)'9')
            {
                return false;
            }

            value = (value * 10) + (s[i] - '0');
        }

        return true;
    }
}
