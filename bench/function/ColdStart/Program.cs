using System.Diagnostics;
using System.Globalization;
using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using TradingPlatform.Functions.DataProcessor;
using TradingPlatform.Functions.DataProcessor.Bench;

// Timed from the first line of Main: what the Lambda runtime adds around it (host start) is not ours to change.
var watch = Stopwatch.StartNew();
var s3 = new AmazonS3Client(
    new BasicAWSCredentials("bench", "bench"),
    new AmazonS3Config { RegionEndpoint = Amazon.RegionEndpoint.USEast1, HttpClientFactory = new StubHttpFactory(), MaxErrorRetry = 0 });
#if CLIENT_REGISTRY
// The registry read is part of a cold request (the cache is empty): DynamoDB is stubbed at the HTTP layer too.
var dynamo = new Amazon.DynamoDBv2.AmazonDynamoDBClient(
    new BasicAWSCredentials("bench", "bench"),
    new Amazon.DynamoDBv2.AmazonDynamoDBConfig { RegionEndpoint = Amazon.RegionEndpoint.USEast1, HttpClientFactory = new StubHttpFactory(), MaxErrorRetry = 0 });
var function = new Function(s3, dynamo, new DataProcessorOptions { IngestionBucket = "ingestion", AnalyticsBucket = "analytics", ApiKeysTable = "api-keys-bench" }, TextWriter.Null);
#else
var function = new Function(s3, new DataProcessorOptions { IngestionBucket = "ingestion", AnalyticsBucket = "analytics" }, TextWriter.Null);
#endif
var init = watch.Elapsed;
var evt = BenchEvents.Event(BenchEvents.Body(100), idempotencyKey: "cold-start-1");
var built = watch.Elapsed;
using var output = await function.HandleAsync(new MemoryStream(evt, writable: false));
var done = watch.Elapsed;
using var reader = new StreamReader(output);
var answer = await reader.ReadToEndAsync();
if (!answer.Contains("\"statusCode\":202", StringComparison.Ordinal))
{
    Console.Error.WriteLine("cold start: the request was not accepted: " + answer[..Math.Min(300, answer.Length)]);
    return 1;
}

// init+invoke = constructor + first HandleAsync (building the test event excluded); what a cold Lambda request waits for.
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"init_ms={init.TotalMilliseconds:F1} invoke_ms={(done - built).TotalMilliseconds:F1} total_ms={(init + (done - built)).TotalMilliseconds:F1}"));
return 0;

/// <summary>Answers every S3 call at the HTTP layer: HEAD 404, PUT 200. The SDK's whole request pipeline still runs.</summary>
internal sealed class StubHttpFactory : HttpClientFactory
{
    public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(new StubHandler());
}

internal sealed class StubHandler : HttpMessageHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Content is not null)
        {
            await request.Content.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
        }

        if (request.Headers.TryGetValues("X-Amz-Target", out var target) && target.First().EndsWith(".GetItem", StringComparison.Ordinal))
        {
            // DynamoDB GetItem: the bench client's ACTIVE registry item.
            var accounts = string.Join(",", BenchEvents.Accounts.Select(a => $"\"{a}\""));
            var item = new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent(
                    $"{{\"Item\":{{\"clientId\":{{\"S\":\"{BenchEvents.ClientId}\"}},\"accountIds\":{{\"SS\":[{accounts}]}},\"status\":{{\"S\":\"ACTIVE\"}}}}}}",
                    System.Text.Encoding.UTF8,
                    "application/x-amz-json-1.0"),
            };
            item.Headers.Add("x-amzn-RequestId", "stub");
            item.RequestMessage = request;
            return item;
        }

        var response = request.Method == HttpMethod.Head
            ? new HttpResponseMessage(HttpStatusCode.NotFound) { Content = new ByteArrayContent([]) }
            : new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent([]) };
        response.Headers.ETag = new System.Net.Http.Headers.EntityTagHeaderValue("\"0123456789abcdef0123456789abcdef\"");
        response.Headers.Add("x-amz-request-id", "stub");
        response.RequestMessage = request;
        return response;
    }
}
