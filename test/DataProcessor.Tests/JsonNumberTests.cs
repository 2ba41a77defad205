using System.Text;

namespace TradingPlatform.Functions.DataProcessor.Tests;

/// <summary>
/// The exact number reader: quantity and price are read from the literal's digits, never through double or a
/// rounding decimal parse, so that a literal is either stored as written or refused. Its own rules, checked without
/// the parser around it.
/// </summary>
public class JsonNumberTests
{
    private static decimal Value(string literal) => JsonNumber.Read(Encoding.ASCII.GetBytes(literal)).ToDecimal();

    [Theory]
    [InlineData("187.12", "187.12")]
    [InlineData("187.1200", "187.12")]
    [InlineData("1.8712e2", "187.12")]
    [InlineData("18712E-2", "187.12")]
    [InlineData("0.018712e4", "187.12")]
    [InlineData("1000000000", "1000000000")]
    [InlineData("1e9", "1000000000")]
    [InlineData("0.00000001", "0.00000001")]
    [InlineData("999999999.99999999", "999999999.99999999")]
    public void The_value_is_exact_and_has_no_trailing_zeros(string literal, string expected)
    {
        // Stored records are canonical: the same value, however spelt, must give the same decimal (and bytes).
        var value = Value(literal);
        value.ShouldBe(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture));
        value.ToString(System.Globalization.CultureInfo.InvariantCulture).ShouldBe(expected);
    }

    [Theory]
    [InlineData("0", true)]
    [InlineData("-0", true)]
    [InlineData("0.000e5", true)]
    [InlineData("0.0001", false)]
    public void Zero_is_recognised_in_every_spelling(string literal, bool zero)
    {
        // Zero is refused as "must be > 0"; a spelling of zero must never slip through as a tiny positive amount.
        JsonNumber.Read(Encoding.ASCII.GetBytes(literal)).Zero.ShouldBe(zero);
    }

    [Theory]
    [InlineData("1000000000", true)]
    [InlineData("1e9", true)]
    [InlineData("1000000000.0", true)]
    [InlineData("999999999.99999999", true)]
    [InlineData("1000000000.00000001", false)]
    [InlineData("1000000001", false)]
    [InlineData("1.1e9", false)]
    [InlineData("2e9", false)]
    public void The_bound_10_to_the_9_is_inclusive_and_compared_exactly(string literal, bool within)
    {
        // The contract's maximum is 1000000000 inclusive; one unit of 10^-8 above it is out of range.
        JsonNumber.Read(Encoding.ASCII.GetBytes(literal)).AtMostPowerOfTen(10).ShouldBe(within);
    }
}
