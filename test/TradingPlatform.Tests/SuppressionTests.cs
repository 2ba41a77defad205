using Amazon.CDK;
using Amazon.CDK.AWS.SQS;
using Shouldly;
using TradingPlatform.Constructs;
using Xunit;

namespace TradingPlatform.Tests;

/// <summary>An exemption from a compliance rule is read by auditors: it names its resource and gives a real reason.</summary>
public sealed class SuppressionTests
{
    [Fact]
    public void A_suppression_without_a_specific_reason_is_refused_at_synth()
    {
        var queue = new Queue(new Stack(new App(), "Probe"), "Queue");

        Should.Throw<ArgumentException>(() => NagSuppressions.Add(queue, new NagSuppression("AwsSolutions-SQS3", "n/a")))
            .Message.ShouldContain("cdk-nag suppression of AwsSolutions-SQS3 on 'Probe/Queue/Resource' needs a specific reason");
        Should.Throw<ArgumentException>(() => GuardSuppressions.Add(queue, new GuardSuppression("CT.SQS.PR.1", "fine")))
            .Message.ShouldContain("Control Tower suppression of CT.SQS.PR.1 on 'Probe/Queue/Resource' needs a specific reason");
    }

    [Fact]
    public void A_suppression_goes_on_a_resource_never_on_a_plain_construct()
    {
        // A construct with no resource of its own would make the exemption cover nothing, or a whole stack.
        var group = new global::Constructs.Construct(new Stack(new App(), "Probe"), "Group");
        Should.Throw<ArgumentException>(() => NagSuppressions.Add(group, new NagSuppression("AwsSolutions-SQS3", "a specific reason that is long enough")))
            .Message.ShouldContain("is not a CloudFormation resource");
    }
}
