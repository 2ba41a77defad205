using System.Globalization;
using System.Text;
using CsCheck;

namespace TradingPlatform.Functions.DataProcessor.Tests;

/// <summary>
/// Rule (issue 16, point 8): an amount is judged by its exact value, never by its spelling. Every spelling of a value
/// within the contract (trailing zeros, exponents, leading zeros in the fraction, mantissas of 1500 digits) is accepted
/// and stored as the same bytes, under the same batch id, as its plain spelling. The only limit on spelling is the
/// documented literal length (<see cref="TradeBatchRules.MaxNumberLiteralLength"/>), which is a 400, never a 5xx.
/// </summary>
public class NumberSpellingPropertyTests
{
    /// <summary>A value m x 10^-s with 0 &lt; value &lt;= 10^9 and s &lt;= 8 decimals: every amount the contract allows.</summary>
    private static readonly Gen<(long Mantissa, int Scale)> Amount = Gen.Int[0, 8].SelectMany(s =>
        Gen.OneOf(Gen.Long[1, 1000], Gen.Long[1, 1_000_000_000L * Pow10(s)], Gen.Const(1_000_000_000L * Pow10(s))).Select(m => (m, s)));

    /// <summary>Zero counts, favouring the extremes: none, a few, and about 1500.</summary>
    private static readonly Gen<int> Zeros = Gen.OneOf(Gen.Int[0, 3], Gen.Int[0, 1500], Gen.Int[1490, 1500]);

    /// <summary>One spelling of m x 10^-s, chosen by a form, zero counts, a point position and the exponent's look.</summary>
    private static readonly Gen<Func<(long Mantissa, int Scale), string>> Spelling = Gen.Select(
        Gen.Int[0, 1], Zeros, Zeros, Gen.Double[0, 1], Gen.Int[0, 3], Gen.Bool, Gen.Bool,
        (form, trailing, leading, point, exponentZeros, upper, plus) => (Func<(long, int), string>)(value =>
            Spell(value.Item1, value.Item2, form, trailing, leading, point, exponentZeros, upper, plus)));

    [Fact]
    public void Every_spelling_of_an_allowed_amount_is_accepted_and_stored_exactly_as_its_plain_spelling()
    {
        Gen.Select(Amount, Spelling, Amount, Spelling).Sample(
            (quantity, spellQuantity, price, spellPrice) =>
            {
                var plain = Store(Plain(quantity), Plain(price));
                var spelt = Store(spellQuantity(quantity), spellPrice(price));
                spelt.Status.ShouldBe(202, "an exact value in range is accepted whatever its spelling");
                spelt.Objects.ShouldBe(plain.Objects, "the same value must be stored as the same bytes under the same keys");
            },
            iter: 150,
            print: t => $"quantity {Plain(t.Item1)} as {t.Item2(t.Item1)}, price {Plain(t.Item3)} as {t.Item4(t.Item3)}");
    }

    [Theory]
    [InlineData(1500)]
    [InlineData(4089)]
    public void One_written_as_a_long_mantissa_with_a_large_negative_exponent_is_one(int zeros)
    {
        // Issue 16's example: 1 with 1500 zeros and e-1500 used to be refused as out of range (the exponent alone was
        // judged) while e-400 was accepted. 4089 zeros with e-4089 is exactly 4096 characters: the cap itself.
        var literal = "1" + new string('0', zeros) + "e-" + zeros.ToString(CultureInfo.InvariantCulture);
        literal.Length.ShouldBeLessThanOrEqualTo(TradeBatchRules.MaxNumberLiteralLength);
        Store(literal, literal).Objects.ShouldBe(Store("1", "1").Objects);
    }

    [Fact]
    public void One_written_as_a_fraction_with_1500_leading_zeros_and_a_large_exponent_is_one()
    {
        // 0.000...001e1501: leading zeros of the fraction move into the exponent before any range decision.
        var literal = "0." + new string('0', 1500) + "1e1501";
        Store(literal, literal).Objects.ShouldBe(Store("1", "1").Objects);
    }

    [Fact]
    public void A_literal_longer_than_the_documented_cap_is_a_400_naming_the_cap_whatever_its_value()
    {
        // The cap bounds the work a literal costs; beyond it even 1 is refused, as a client error (4xx), not a 5xx.
        var literal = "1" + new string('0', 4090) + "e-4090";
        literal.Length.ShouldBe(TradeBatchRules.MaxNumberLiteralLength + 1);
        var answer = Handle(Requests.Batch(Requests.Trade(quantity: 7m)).Replace("\"quantity\":7", "\"quantity\":" + literal, StringComparison.Ordinal), new FakeStore());
        answer.StatusCode.ShouldBe(400);
        var error = answer.Body["errors"]!.AsArray().Single()!;
        error["field"]!.GetValue<string>().ShouldBe("quantity");
        error["message"]!.GetValue<string>().ShouldContain(TradeBatchRules.MaxNumberLiteralLength.ToString(CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("1e1000000000000000000000", "must be <= 1000000000")]
    [InlineData("1e-1000000000000000000000", "must have at most 8 decimal places")]
    [InlineData("0e1000000000000000000000", "must be > 0")]
    public void Huge_exponents_are_judged_by_the_value_they_give(string literal, string message)
    {
        // An exponent beyond any range is read without computing it, and still classified exactly: far too large,
        // far too small (too many decimals), or zero.
        var error = Parsing.Invalid(Requests.Batch(Requests.Trade(price: 11m)).Replace("\"price\":11", "\"price\":" + literal, StringComparison.Ordinal))
            .Errors.Single();
        (error.Field, error.Message).ShouldBe(("price", message));
    }

    private static (int Status, Dictionary<string, string> Objects) Store(string quantity, string price)
    {
        var body = Requests.Batch(Requests.Trade(quantity: 7m, price: 11m))
            .Replace("\"quantity\":7", "\"quantity\":" + quantity, StringComparison.Ordinal)
            .Replace("\"price\":11", "\"price\":" + price, StringComparison.Ordinal);
        var store = new FakeStore();
        var answer = Handle(body, store);
        answer.StatusCode.ShouldBe(202, $"quantity {quantity[..Math.Min(60, quantity.Length)]}..., price {price[..Math.Min(60, price.Length)]}...: {answer.Body.ToJsonString()}");
        return (answer.StatusCode, store.Objects.ToDictionary(o => $"{o.Key.Bucket}/{o.Key.Key}", o => Encoding.UTF8.GetString(o.Value.Content)));
    }

    private static Answer Handle(string body, FakeStore store)
    {
        var function = new Function(store, Registry.Default(), Options.For(), TextWriter.Null, new FixedTime(FixedTime.Default));
        return Answer.ReadAsync(function.HandleAsync(Requests.Event(body)).GetAwaiter().GetResult()).GetAwaiter().GetResult();
    }

    /// <summary>The plain decimal spelling: "0.005" for (5, 3), "1000000000" for (10^9, 0).</summary>
    private static string Plain((long Mantissa, int Scale) value)
    {
        var digits = value.Mantissa.ToString(CultureInfo.InvariantCulture).PadLeft(value.Scale + 1, '0');
        return value.Scale == 0 ? digits : digits[..^value.Scale] + "." + digits[^value.Scale..];
    }

    /// <summary>
    /// Form 0: the digits of m followed by <paramref name="trailing"/> zeros, a point somewhere in them, and the
    /// exponent that restores the value. Form 1: "0." then <paramref name="leading"/> zeros then those digits, and
    /// the exponent that restores the value.
    /// </summary>
    private static string Spell(long mantissa, int scale, int form, int trailing, int leading, double point, int exponentZeros, bool upper, bool plus)
    {
        var digits = mantissa.ToString(CultureInfo.InvariantCulture) + new string('0', trailing);
        string text;
        long exponent;
        if (form == 0)
        {
            var at = 1 + (int)(point * (digits.Length - 1)); // digits before the point: at least one, no leading zero
            text = at == digits.Length ? digits : digits[..at] + "." + digits[at..];
            exponent = -scale - trailing + (digits.Length - at);
        }
        else
        {
            text = "0." + new string('0', leading) + digits;
            exponent = -scale - trailing + leading + digits.Length;
        }

        if (exponent == 0 && !plus)
        {
            return text; // no exponent at all
        }

        var sign = exponent < 0 ? "-" : plus ? "+" : "";
        return text + (upper ? "E" : "e") + sign + new string('0', exponentZeros) + Math.Abs(exponent).ToString(CultureInfo.InvariantCulture);
    }

    private static long Pow10(int n)
    {
        long result = 1;
        for (var i = 0; i < n; i++)
        {
            result *= 10;
        }

        return result;
    }
}
