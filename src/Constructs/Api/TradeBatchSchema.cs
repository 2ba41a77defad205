using Amazon.CDK.AWS.APIGateway;

namespace TradingPlatform.Constructs.Api;

/// <summary>
/// JSON schema (draft 4, what API Gateway models speak) of POST /data, matching the function's rules
/// (src/Functions/DataProcessor/README.md). API Gateway rejects a malformed batch with 400 before the
/// function runs; the function re-checks everything a schema cannot say (ISO 4217 list, decimal places,
/// calendar validity, duplicate trade ids) and answers with the per-record error list.
/// </summary>
public static class TradeBatchSchema
{
    public const int MaxTradesPerBatch = 5000;
    public const double MaxQuantityOrPrice = 1_000_000_000;

    private static JsonSchema Text(string pattern, int maxLength) => new()
    {
        Type = JsonSchemaType.STRING, Pattern = pattern, MinLength = 1, MaxLength = maxLength,
    };

    private static JsonSchema Positive() => new()
    {
        Type = JsonSchemaType.NUMBER, Minimum = 0, ExclusiveMinimum = true, Maximum = MaxQuantityOrPrice,
    };

    public static JsonSchema Create() => new()
    {
        Schema = JsonSchemaVersion.DRAFT4,
        Title = "TradeBatch",
        Type = JsonSchemaType.OBJECT,
        Required = ["trades"],
        AdditionalProperties = false,
        Properties = new Dictionary<string, IJsonSchema>
        {
            ["trades"] = new JsonSchema
            {
                Type = JsonSchemaType.ARRAY,
                MinItems = 1,
                MaxItems = MaxTradesPerBatch,
                Items = new JsonSchema
                {
                    Type = JsonSchemaType.OBJECT,
                    Required = ["tradeId", "accountId", "symbol", "side", "quantity", "price", "currency", "executedAt"],
                    AdditionalProperties = false,
                    Properties = new Dictionary<string, IJsonSchema>
                    {
                        ["tradeId"] = Text("^[A-Za-z0-9._-]+$", 64),
                        ["accountId"] = Text("^[A-Za-z0-9._-]+$", 64),
                        ["symbol"] = Text("^[A-Z0-9][A-Z0-9.-]*$", 12),
                        ["side"] = new JsonSchema { Type = JsonSchemaType.STRING, Enum = ["BUY", "SELL"] },
                        ["quantity"] = Positive(),
                        ["price"] = Positive(),
                        ["currency"] = Text("^[A-Z]{3}$", 3),
                        ["executedAt"] = Text(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,7})?Z$", 28),
                    },
                },
            },
        },
    };
}
