using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace TradingPlatform.Functions.DataProcessor.Bench;

/// <summary>
/// S3 stubbed at the client: every conditional PUT succeeds after the body is read, every HEAD finds nothing.
/// What is measured is the handler's own work, not the network.
/// </summary>
public sealed class StubS3() : AmazonS3Client(new BasicAWSCredentials("bench", "bench"), new AmazonS3Config { ServiceURL = "http://127.0.0.1:9", ForcePathStyle = true, AuthenticationRegion = "us-east-1" })
{
    public override async Task<PutObjectResponse> PutObjectAsync(PutObjectRequest request, CancellationToken cancellationToken = default)
    {
        await request.InputStream.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
        return new PutObjectResponse { HttpStatusCode = System.Net.HttpStatusCode.OK };
    }

    public override Task<GetObjectMetadataResponse> GetObjectMetadataAsync(GetObjectMetadataRequest request, CancellationToken cancellationToken = default) =>
        throw new AmazonS3Exception("Not Found") { StatusCode = System.Net.HttpStatusCode.NotFound, ErrorCode = "NotFound" };
}
