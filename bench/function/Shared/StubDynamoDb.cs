#if CLIENT_REGISTRY
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;

namespace TradingPlatform.Functions.DataProcessor.Bench;

/// <summary>
/// The client registry stubbed at the client: every GetItem answers the bench client's ACTIVE item with every account
/// of <see cref="BenchEvents.Body"/>. The function caches it, so warm requests read it once per environment.
/// </summary>
public sealed class StubDynamoDb() : AmazonDynamoDBClient(new BasicAWSCredentials("bench", "bench"), new AmazonDynamoDBConfig { ServiceURL = "http://127.0.0.1:9", AuthenticationRegion = "us-east-1" })
{
    public override Task<GetItemResponse> GetItemAsync(GetItemRequest request, CancellationToken cancellationToken = default) =>
        Task.FromResult(new GetItemResponse
        {
            HttpStatusCode = System.Net.HttpStatusCode.OK,
            Item = new Dictionary<string, AttributeValue>
            {
                ["clientId"] = new() { S = BenchEvents.ClientId },
                ["accountIds"] = new() { SS = [.. BenchEvents.Accounts] },
                ["status"] = new() { S = "ACTIVE" },
            },
        });
}
#endif
