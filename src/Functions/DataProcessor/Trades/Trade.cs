namespace TradingPlatform.Functions.DataProcessor.Trades;

public enum TradeSide
{
    Buy,
    Sell,
}

/// <summary>A validated trade. Decimals are normalised (no trailing zeros); <see cref="ExecutedAt"/> is UTC.</summary>
public sealed record Trade(
    string TradeId,
    string AccountId,
    string Symbol,
    TradeSide Side,
    decimal Quantity,
    decimal Price,
    string Currency,
    DateTime ExecutedAt);
