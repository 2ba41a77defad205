using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Shouldly;
using TradingPlatform.Tests.Rules;
using Xunit;

namespace TradingPlatform.Tests.Monitoring;

/// <summary>
/// Every alarm's description sends the person paged to the runbook ("Runbook: README.md#runbook (&lt;name&gt;)"): an
/// alarm without a row there sends them to nothing. Checked on every synthesized variant (each kind has alarms the others
/// lack: the recovery alarms, three NAT gateways), against docs/runbook.md's first column.
/// </summary>
[Collection(SynthesizedAppsCollection.Name)]
public sealed partial class RunbookTests(SynthesizedApps apps)
{
    [Fact]
    public void Every_alarm_of_every_environment_has_a_runbook_row()
    {
        var runbook = File.ReadAllText(Path.Combine(SynthCache.RepositoryRoot(), "docs", "runbook.md"));
        // The first cell of each table row, every `name` in it (a row may cover several alarms).
        var documented = runbook.Split('\n')
            .Where(line => line.StartsWith("| `", StringComparison.Ordinal))
            .SelectMany(line => Backticked().Matches(line.Split('|')[1]).Select(m => m.Groups[1].Value))
            .ToHashSet();
        documented.Count.ShouldBeGreaterThan(20, "the runbook table was not found");

        var checkedAlarms = 0;
        foreach (var variant in PlatformRuleTests.Presets)
        {
            var view = PlatformView.Of(apps.For(variant));
            foreach (var (layer, id, alarm) in view.Resources("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm"))
            {
                var name = (string?)alarm.Properties()["AlarmName"];
                name.ShouldNotBeNull($"{view.StackName(layer)}/{id} has no fixed name to look up");
                var shortName = name[$"trading-{view.Suffix}-".Length..];
                // NAT gateways are numbered per AZ: the runbook has one row for nat-<n>-...
                var rowName = NatNumber().Replace(shortName, "nat-<n>-");
                documented.ShouldContain(rowName, $"{view.StackName(layer)}/{id} ({name}) has no row in docs/runbook.md");
                checkedAlarms++;
            }
        }

        checkedAlarms.ShouldBeGreaterThan(100);
    }

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex Backticked();

    [GeneratedRegex(@"^nat-\d+-")]
    private static partial Regex NatNumber();
}
