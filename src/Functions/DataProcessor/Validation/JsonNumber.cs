namespace TradingPlatform.Functions.DataProcessor.Validation;

/// <summary>
/// A JSON number literal read exactly: value = (-1 if <see cref="Negative"/>) x <see cref="Digits"/> x 10^<see cref="Exponent"/>,
/// with leading and trailing zeros of the digit string removed (so the exponent is the real scale). The literal is
/// valid JSON (the reader checked it); exponents beyond +-10^6 are flagged rather than computed.
/// </summary>
internal readonly ref struct JsonNumber
{
    private const int AbsurdExponentLimit = 1000;

    public bool Negative { get; private init; }

    /// <summary>The significant digits, without leading or trailing zeros; empty for zero.</summary>
    public ReadOnlySpan<byte> Digits { get; private init; }

    /// <summary>Only meaningful when the two digit runs are stitched together: see <see cref="Read"/>.</summary>
    private ReadOnlySpan<byte> FractionDigits { get; init; }

    public int Exponent { get; private init; }

    public bool AbsurdExponent { get; private init; }

    public bool Zero => Digits.IsEmpty && FractionDigits.IsEmpty;

    public static JsonNumber Read(ReadOnlySpan<byte> literal)
    {
        var negative = literal.Length > 0 && literal[0] == '-';
        var s = negative ? literal[1..] : literal;
        var e = s.IndexOfAny((byte)'e', (byte)'E');
        long exponent = 0;
        var absurd = false;
        if (e >= 0)
        {
            var exp = s[(e + 1)..];
            var expNegative = exp.Length > 0 && exp[0] == '-';
            if (exp.Length > 0 && exp[0] is (byte)'-' or (byte)'+')
            {
                exp = exp[1..];
            }

            foreach (var digit in exp)
            {
                exponent = (exponent * 10) + (digit - '0');
                if (exponent > AbsurdExponentLimit)
                {
                    absurd = true;
                    break;
                }
            }

            exponent = expNegative ? -exponent : exponent;
            s = s[..e];
        }

        var dot = s.IndexOf((byte)'.');
        var whole = dot >= 0 ? s[..dot] : s;
        var fraction = dot >= 0 ? s[(dot + 1)..] : [];

        // Value = whole.fraction x 10^exponent = (whole ++ fraction) x 10^(exponent - fraction.Length).
        // Trailing zeros of the fraction, then (if nothing is left of it) of the whole part, raise the exponent.
        var trimmedFraction = fraction.TrimEnd((byte)'0');
        var scaleExponent = exponent - trimmedFraction.Length;
        whole = whole.TrimStart((byte)'0');
        if (trimmedFraction.IsEmpty)
        {
            var trimmedWhole = whole.TrimEnd((byte)'0');
            scaleExponent += whole.Length - trimmedWhole.Length;
            whole = trimmedWhole;
        }
        else if (whole.IsEmpty)
        {
            trimmedFraction = trimmedFraction.TrimStart((byte)'0');
        }

        return new JsonNumber
        {
            Negative = negative,
            Digits = whole,
            FractionDigits = trimmedFraction,
            Exponent = (int)Math.Clamp(scaleExponent, -10 * AbsurdExponentLimit, 10 * AbsurdExponentLimit),
            AbsurdExponent = absurd,
        };
    }

    private int DigitCount => Digits.Length + FractionDigits.Length;

    /// <summary>
    /// True if the (positive) value is at most 10^(<paramref name="maxDigits"/> - 1), e.g. 10^9 for 10 digits.
    /// </summary>
    public bool AtMostPowerOfTen(int maxDigits)
    {
        // Integer digits of the value = DigitCount + Exponent: fewer than the bound's is smaller, more is larger, and
        // as many is allowed only for the digit string "1" (the bound itself).
        var integerDigits = DigitCount + Exponent;
        if (integerDigits != maxDigits)
        {
            return integerDigits < maxDigits;
        }

        return DigitCount == 1 && (Digits.IsEmpty ? FractionDigits[0] : Digits[0]) == '1';
    }

    /// <summary>The exact value as a decimal with no trailing zeros; call only when it is within the contract's bounds.</summary>
    public decimal ToDecimal()
    {
        // At most 18 significant digits here (10^9 with 8 decimals): a long holds them.
        long mantissa = 0;
        foreach (var d in Digits)
        {
            mantissa = (mantissa * 10) + (d - '0');
        }

        foreach (var d in FractionDigits)
        {
            mantissa = (mantissa * 10) + (d - '0');
        }

        var exponent = Exponent;
        for (; exponent > 0; exponent--)
        {
            mantissa *= 10;
        }

        return new decimal((int)mantissa, (int)(mantissa >> 32), 0, Negative, (byte)-exponent);
    }
}

