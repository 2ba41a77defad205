using System.Collections.Frozen;

namespace TradingPlatform.Functions.DataProcessor.Validation;

/// <summary>
/// Active ISO 4217 alphabetic codes (list one: currencies and funds), snapshot of 2025.
/// Left out on purpose: XTS (reserved for testing) and XXX (no currency), which are no trade currency.
/// Left out as withdrawn: ANG (replaced by XCG in 2025), BGN (Bulgaria adopted the euro on 2026-01-01),
/// CUC, HRK, SLL, VEF, ZWL and older ones.
/// To update: edit this list and the README; the tests pin a few codes each way.
/// </summary>
public static class Iso4217
{
    private static readonly FrozenSet<string> Active = new[]
    {
        "AED", "AFN", "ALL", "AMD", "AOA", "ARS", "AUD", "AWG", "AZN",
        "BAM", "BBD", "BDT", "BHD", "BIF", "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD",
        "CAD", "CDF", "CHE", "CHF", "CHW", "CLF", "CLP", "CNY", "COP", "COU", "CRC", "CUP", "CVE", "CZK",
        "DJF", "DKK", "DOP", "DZD",
        "EGP", "ERN", "ETB", "EUR",
        "FJD", "FKP",
        "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD",
        "HKD", "HNL", "HTG", "HUF",
        "IDR", "ILS", "INR", "IQD", "IRR", "ISK",
        "JMD", "JOD", "JPY",
        "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT",
        "LAK", "LBP", "LKR", "LRD", "LSL", "LYD",
        "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MXV", "MYR", "MZN",
        "NAD", "NGN", "NIO", "NOK", "NPR", "NZD",
        "OMR",
        "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG",
        "QAR",
        "RON", "RSD", "RUB", "RWF",
        "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL",
        "THB", "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS",
        "UAH", "UGX", "USD", "USN", "UYI", "UYU", "UYW", "UZS",
        "VED", "VES", "VND", "VUV",
        "WST",
        "XAF", "XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XCD", "XCG", "XDR", "XOF", "XPD", "XPF", "XPT", "XSU", "XUA",
        "YER",
        "ZAR", "ZMW", "ZWG",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>True for an active code, compared exactly (upper case).</summary>
    public static bool IsActive(string code) => Active.Contains(code);

    /// <summary>The list's own string for an active code (so a batch shares one instance per currency), else null.</summary>
    internal static string? Canonical(ReadOnlySpan<char> code) =>
        Active.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(code, out var actual) ? actual : null;

    public static int Count => Active.Count;
}
