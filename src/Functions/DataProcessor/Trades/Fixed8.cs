using System.Globalization;

namespace TradingPlatform.Functions.DataProcessor.Trades;

/// <summary>
/// An exact amount with 8 decimal places, stored as a count of 10^-8 units in an <see cref="Int128"/>. Aggregates
/// use it instead of System.Decimal because their exact values need more than decimal's 28-29 significant digits:
/// a sum of 5000 notionals of 1e9 x 1e9 with 16 decimals each is 38 digits, and even the published 8-decimal sum of
/// 5e21 is 30 digits.
/// </summary>
public readonly record struct Fixed8(Int128 Units) : IComparable<Fixed8>
{
    public const int Decimals = 8;

    /// <summary>10^8: units per whole number.</summary>
    public static readonly Int128 Scale = 100_000_000;

    /// <summary>The exact value of a decimal with at most 8 decimal places.</summary>
    /// <exception cref="ArgumentException">The value has more than 8 significant decimal places.</exception>
    public static Fixed8 FromDecimal(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var scale = (bits[3] >> 16) & 0xFF;
        var mantissa = ((Int128)(uint)bits[2] << 64) | ((Int128)(uint)bits[1] << 32) | (uint)bits[0];
        if ((bits[3] & int.MinValue) != 0)
        {
            mantissa = -mantissa;
        }

        for (; scale > Decimals; scale--)
        {
            if (mantissa % 10 != 0)
            {
                throw new ArgumentException($"{value} has more than {Decimals} decimal places.", nameof(value));
            }

            mantissa /= 10;
        }

        for (; scale < Decimals; scale++)
        {
            mantissa *= 10;
        }

        return new Fixed8(mantissa);
    }

    public static implicit operator Fixed8(decimal value) => FromDecimal(value);

    /// <summary>Parses the canonical text (e.g. "-12.5", "5000000000000000000000.00000001").</summary>
    public static Fixed8 Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var negative = text.StartsWith('-');
        var digits = negative ? text[1..] : text;
        var dot = digits.IndexOf('.', StringComparison.Ordinal);
        var whole = dot < 0 ? digits : digits[..dot];
        var fraction = dot < 0 ? "" : digits[(dot + 1)..];
        if (fraction.Length > Decimals)
        {
            throw new FormatException($"'{text}' has more than {Decimals} decimal places.");
        }

        var units = Int128.Parse(whole + fraction.PadRight(Decimals, '0'), NumberStyles.None, CultureInfo.InvariantCulture);
        return new Fixed8(negative ? -units : units);
    }

    /// <summary>
    /// The exact quotient <paramref name="numerator"/> / <paramref name="denominator"/> (both non-negative, the
    /// denominator positive), rounded once to a whole number, half to even.
    /// </summary>
    public static Int128 DivideRoundHalfEven(Int128 numerator, Int128 denominator)
    {
        var quotient = Int128.DivRem(numerator, denominator);
        var twice = quotient.Remainder * 2;
        return twice > denominator || (twice == denominator && !Int128.IsEvenInteger(quotient.Quotient))
            ? quotient.Quotient + 1
            : quotient.Quotient;
    }

    public int CompareTo(Fixed8 other) => Units.CompareTo(other.Units);

    /// <summary>Canonical text: no exponent, no trailing zeros, no trailing dot ("187.1247", "3", "0.00000001").</summary>
    public override string ToString()
    {
        Span<byte> buffer = stackalloc byte[MaxUtf8Length];
        var written = Format(buffer);
        return System.Text.Encoding.ASCII.GetString(buffer[..written]);
    }

    /// <summary>Longest text: sign, 31 integer digits of Int128.MaxValue / 10^8, dot and 8 decimals.</summary>
    internal const int MaxUtf8Length = 48;

    /// <summary>Writes the canonical text as ASCII; returns the byte count.</summary>
    internal int Format(Span<byte> destination)
    {
        var position = 0;
        var units = Units;
        if (units < 0)
        {
            destination[position++] = (byte)'-';
            units = -units;
        }

        var (whole, fraction) = Int128.DivRem(units, Scale);
        Span<byte> digits = stackalloc byte[40];
        var count = 0;
        do
        {
            var (rest, digit) = Int128.DivRem(whole, 10);
            digits[count++] = (byte)('0' + (int)digit);
            whole = rest;
        }
        while (whole > 0);

        while (count > 0)
        {
            destination[position++] = digits[--count];
        }

        if (fraction != 0)
        {
            var f = (long)fraction;
            var places = Decimals;
            while (f % 10 == 0)
            {
                f /= 10;
                places--;
            }

            destination[position++] = (byte)'.';
            for (var i = places - 1; i >= 0; i--)
            {
                destination[position + i] = (byte)('0' + (int)(f % 10));
                f /= 10;
            }

            position += places;
        }

        return position;
    }
}
