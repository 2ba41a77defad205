using Shouldly;
using Xunit;

namespace TradingPlatform.Tests;

/// <summary>
/// What a deployed environment depends on staying the same between releases: the exports other stacks
/// import, and the logical ids of resources that hold data. A change here must be a reviewed decision.
/// </summary>
[Collection(SynthesizedAppsCollection.Name)]
public sealed class StabilityContractTests(SynthesizedApps apps)
{
    /// <summary>
    /// The reviewed export contract per layer ({env} is the suffix). Seed names are imported by other teams;
    /// the ExportsOutput* names are the CDK's exports for the typed references between our own layers.
    /// </summary>
    private static readonly Dictionary<string, string[]> ExportContract = new()
    {
        ["Security"] =
        [
            "TradingPlatform-{env}-Security:ExportsOutputFnGetAttLogsEncryptionKeyF4454017Arn24227E1F",
            "TradingPlatform-{env}-Security:ExportsOutputFnGetAttDbEncryptionKey4BB74B52Arn9C919660",
            "TradingPlatform-{env}-Security:ExportsOutputFnGetAttS3EncryptionKeyE102C1CFArn8D8FC4ED",
            "TradingPlatform-{env}-Security:ExportsOutputFnGetAttLambdaEncryptionKeyF0776DAEArnD65F74D7",
        ],
        ["Network"] =
        [
            "VpcId-{env}",
            "TradingPlatform-{env}-Network:ExportsOutputRefTradingVpcB75D9053843139F1",
            "TradingPlatform-{env}-Network:ExportsOutputRefTradingVpcPrivateSubnet1Subnet9312C72636516168",
            "TradingPlatform-{env}-Network:ExportsOutputRefTradingVpcPrivateSubnet2SubnetABEABECF246D690E",
            "TradingPlatform-{env}-Network:ExportsOutputRefTradingVpcPrivateSubnet3Subnet41FFCF372A30615B",
        ],
        ["Data"] =
        [
            "DatabaseEndpoint-{env}",
            "IngestionBucket-{env}",
            "AnalyticsBucket-{env}",
            "ArchivalBucket-{env}",
            "TradingPlatform-{env}-Data:ExportsOutputFnGetAttIngestionBucket917A3A3AArn205069C7",
            "TradingPlatform-{env}-Data:ExportsOutputFnGetAttAnalyticsBucket39EAAEEAArn99FBDA6B",
            "TradingPlatform-{env}-Data:ExportsOutputRefIngestionBucket917A3A3AE431BBB7",
            "TradingPlatform-{env}-Data:ExportsOutputRefAnalyticsBucket39EAAEEA4B56ABBC",
            "TradingPlatform-{env}-Data:ExportsOutputFnGetAttDatabaseClientSecurityGroup147BB607GroupId128F80D8",
        ],
        ["Api"] = ["ApiUrl-{env}"],
    };

    /// <summary>Resources whose replacement loses data or breaks everything encrypted with them.</summary>
    private static readonly (string Layer, string LogicalId, string Type)[] StatefulResources =
    [
        ("Security", "DbEncryptionKey4BB74B52", "AWS::KMS::Key"),
        ("Security", "S3EncryptionKeyE102C1CF", "AWS::KMS::Key"),
        ("Security", "LambdaEncryptionKeyF0776DAE", "AWS::KMS::Key"),
        ("Security", "LogsEncryptionKeyF4454017", "AWS::KMS::Key"),
        ("Security", "ConfigBucket2112C5EC", "AWS::S3::Bucket"),
        ("Network", "TradingVpcB75D9053", "AWS::EC2::VPC"),
        ("Data", "TradingDatabase138FA84A", "AWS::RDS::DBCluster"),
        ("Data", "SessionsTable7C302024", "AWS::DynamoDB::Table"),
        ("Data", "ApiKeysTable9F4DC7E7", "AWS::DynamoDB::Table"),
        ("Data", "IngestionBucket917A3A3A", "AWS::S3::Bucket"),
        ("Data", "AnalyticsBucket39EAAEEA", "AWS::S3::Bucket"),
        ("Data", "ArchivalBucket8D93ED02", "AWS::S3::Bucket"),
        ("Data", "AccessLogsBucket83982689", "AWS::S3::Bucket"),
    ];

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    [InlineData("pr-7")]
    public void Each_layer_publishes_exactly_the_reviewed_exports(string suffix)
    {
        var env = apps.For(suffix);
        foreach (var (layer, contract) in ExportContract)
        {
            var stackName = $"TradingPlatform-{suffix}-{layer}";
            var expected = contract.Select(name => name.Replace("{env}", suffix)).ToList();
            var actual = env.Json[stackName].ExportNames().ToList();

            foreach (var missing in expected.Except(actual))
            {
                throw new ShouldAssertException(
                    $"{stackName} no longer exports '{missing}'. CloudFormation refuses to delete an export that a " +
                    "deployed stack still imports, so removing it takes two deployments: (1) keep the export alive " +
                    $"with this.ExportValue(<the same value>) in the producing stack and deploy the consumers without " +
                    "the reference; (2) delete the ExportValue call and deploy the producer. Then update this contract. " +
                    "A renamed construct changes the name too: keep its id, or do the same two steps.");
            }

            foreach (var added in actual.Except(expected))
            {
                throw new ShouldAssertException(
                    $"{stackName} exports a new name '{added}'. Exports are a contract between independently deployed " +
                    "stacks: review who will import it, then add it to ExportContract.");
            }
        }
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void Stateful_resources_keep_their_logical_ids(string suffix)
    {
        var env = apps.For(suffix);
        foreach (var (layer, logicalId, type) in StatefulResources)
        {
            var stackName = $"TradingPlatform-{suffix}-{layer}";
            var resources = env.Json[stackName]["Resources"]!.AsObject();
            resources.ContainsKey(logicalId).ShouldBeTrue(
                $"{stackName}: the {type} with logical id {logicalId} is gone. A new logical id makes CloudFormation " +
                "create a new resource and delete the old one: data or keys are lost. If a refactor moved the construct, " +
                $"pin the old id with ((CfnResource)construct.Node.DefaultChild).OverrideLogicalId(\"{logicalId}\").");
            ((string)resources[logicalId]!["Type"]!).ShouldBe(type);
        }
    }
}
