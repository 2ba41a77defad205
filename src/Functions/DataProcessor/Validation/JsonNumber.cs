namespace TradingPlatform.Functions.DataProcessor.Validation;

/// <summary>
/// A JSON number literal read exactly and normalised: value = (-1 if <see cref="Negative"/>) x D x 10^<see cref="Exponent"/>,
/// where D is the significant digits (<see cref="WholeDigits"/> then <see cref="FractionDigits"/>) without leading or
/// trailing zeros. Every spelling of a value gives the same D and exponent (1, 1.000, 10e-1, 0.01e2, a 1 with 1500
/// zeros and e-1500), so range and scale decisions depend on the value alone, never on how it is written.
/// The work is linear in the literal's length: callers bound that length first (TradeBatchRules.MaxNumberLiteralLength).
/// </summary>
internal readonly ref struct JsonNumber
{
    /// <summary>
    /// The literal's exponent is read up to this magnitude, then held there. Any literal the caller accepts has far
    /// fewer digits than this, so normalising cannot move a held exponent back into range: a held value is decided
    /// (too large, or too many decimal places) exactly as its true exponent would be, without computing it.
    /// </summary>
    internal const long ExponentHold = 1_000_000_000_000;

    public bool Negative { get; private init; }

    /// <summary>Significant digits before the literal's decimal point (no leading zeros).</summary>
    public ReadOnlySpan<byte> WholeDigits { get; private init; }

    /// <summary>Significant digits after the literal's decimal point (no trailing zeros).</summary>
    public ReadOnlySpan<byte> FractionDigits { get; private init; }

    /// <summary>The power of ten of the last significant digit.</summary>
    public long Exponent { get; private init; }

    public bool Zero => WholeDigits.IsEmpty && FractionDigits.IsEmpty;

    public int DigitCount => WholeDigits.Length + FractionDigits.Length;

    /// <summary>Decimal places the value needs (0 for integers and for zero): 1.50 -> 1, 15e-1 -> 1, 1E+3 -> 0.</summary>
    public long DecimalPlaces => Zero ? 0 : Math.Max(0, -Exponent);

    /// <summary>Reads a literal that is valid JSON number syntax (the reader checked it).</summary>
    public static JsonNumber Read(ReadOnlySpan<byte> literal)
    {
        var negative = literal.Length > 0 && literal[0] == '-';
        var s = negative ? literal[1..] : literal;
        long exponent = 0;
        var e = s.IndexOfAny((byte)'e', (byte)'E');
        if (e >= 0)
        {
            exponent = ReadExponent(s[(e + 1)..]);
            s = s[..e];
        }

        var dot = s.IndexOf((byte)'.');
        var whole = dot >= 0 ? s[..dot] : s;
        var fraction = dot >= 0 ? s[(dot + 1)..] : [];

        // whole.fraction x 10^exponent = (whole ++ fraction) x 10^(exponent - fraction.Length); every trailing zero
        // dropped from the digit string then raises the exponent by one, and leading zeros change nothing.
        whole = whole.TrimStart((byte)'0');
        var trimmedFraction = fraction.TrimEnd((byte)'0');
        exponent -= trimmedFraction.Length;
        if (trimmedFraction.IsEmpty)
        {
            var trimmedWhole = whole.TrimEnd((byte)'0');
            exponent += whole.Length - trimmedWhole.Length;
            whole = trimmedWhole;
        }

        if (whole.IsEmpty)
        {
            trimmedFraction = trimmedFraction.TrimStart((byte)'0');
        }

        return new JsonNumber { Negative = negative, WholeDigits = whole, FractionDigits = trimmedFraction, Exponent = exponent };
    }

    /// <summary>
    /// True if the (positive, non-zero) value is at most 10^(<paramref name="maxDigits"/> - 1), e.g. 10^9 for 10 digits.
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

        return DigitCount == 1 && (WholeDigits.IsEmpty ? FractionDigits[0] : WholeDigits[0]) == '1';
    }

    /// <summary>The exact value as a decimal with no trailing zeros; call only when it is within the contract's bounds.</summary>
    public decimal ToDecimal()
    {
        // At most 18 significant digits here (10^9 with 8 decimals): a long holds them.
        long mantissa = 0;
        foreach (var d in WholeDigits)
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

    /// <summary>The exponent's signed value, held at <see cref="ExponentHold"/> (leading zeros are read, not counted).</summary>
    private static long ReadExponent(ReadOnlySpan<byte> text)
    {
        var negative = text.Length > 0 && text[0] == '-';
        if (text.Length > 0 && text[0] is (byte)'-' or (byte)'+')
        {
            text = text[1..];
        }

        long value = 0;
        foreach (var digit in text)
        {
            value = Math.Min(ExponentHold, (value * 10) + (digit - '0'));
        }

        return negative ? -value : value;
    }
}
