using System.Text.Json.Nodes;
using Shouldly;
using TradingPlatform.Config;
using Xunit;

namespace TradingPlatform.Tests.Data;

/// <summary>The backups component: vault, plan, selection, prod's vault lock, and the failed-job alarm.</summary>
[Collection(SynthesizedAppsCollection.Name)]
public sealed class DataBackupsTests(SynthesizedApps apps)
{
    private const string ClusterId = "TradingDatabase138FA84A";
    private const string SessionsTableId = "SessionsTable7C302024";
    private const string ApiKeysTableId = "ApiKeysTable9F4DC7E7";

    public static TheoryData<string> EveryKind() => ["dev", "pr-7", "staging", "prod"];

    private static JsonObject Single(SynthesizedEnvironment env, string type)
    {
        var resources = env.DataJson().ResourcesOfType(type).ToList();
        resources.Count.ShouldBe(1, $"{env.Settings.Suffix}: one {type} in the Data layer");
        return resources.Single().Resource;
    }

    [Theory]
    [MemberData(nameof(EveryKind))]
    public void Vault_is_encrypted_with_the_backup_key(string suffix)
    {
        // Recovery points are full copies of the cluster and tables: their own key, revocable apart from the data's.
        var vault = Single(apps.For(suffix), "AWS::Backup::BackupVault").Properties();
        (vault["EncryptionKeyArn"]?["Fn::ImportValue"]?.ToString() ?? "none").ShouldContain("BackupEncryptionKey");
    }

    [Theory]
    [MemberData(nameof(EveryKind))]
    public void Plan_keeps_dailies_35_days_everywhere_and_monthlies_a_year_only_in_prod(string suffix)
    {
        var env = apps.For(suffix);
        var rules = Single(env, "AWS::Backup::BackupPlan").Properties()["BackupPlan"]!["BackupPlanRule"]!.AsArray()
            .ToDictionary(r => (string)r!["RuleName"]!, r => r!.AsObject());

        // Daily: 35 days covers a month of "what did it look like on day N", in every kind (dev rehearses restores too).
        ((string)rules["Daily"]["ScheduleExpression"]!).ShouldBe("cron(0 5 * * ? *)");
        ((int)rules["Daily"]["Lifecycle"]!["DeleteAfterDays"]!).ShouldBe(35);
        if (env.Settings.Kind == EnvironmentKind.Prod)
        {
            // Monthly in prod: a year of month-start states (PCI-DSS 10.7's audit year).
            rules.Keys.Order().ShouldBe(["Daily", "Monthly"]);
            ((string)rules["Monthly"]["ScheduleExpression"]!).ShouldBe("cron(0 5 1 * ? *)");
            ((int)rules["Monthly"]["Lifecycle"]!["DeleteAfterDays"]!).ShouldBe(365);
        }
        else
        {
            rules.Keys.ToList().ShouldBe(new List<string> { "Daily" }, $"{suffix}: a year of monthlies is a prod cost only");
        }

        // No cold storage: Aurora recovery points cannot move there.
        rules.Values.ShouldAllBe(r => r["Lifecycle"]!["MoveToColdStorageAfterDays"] == null);
        rules.Values.ShouldAllBe(r => r["TargetBackupVault"]!.ToJsonString().Contains("BackupVault"));
    }

    [Theory]
    [MemberData(nameof(EveryKind))]
    public void Selection_covers_the_cluster_and_both_tables_by_arn(string suffix)
    {
        // By ARN, not tag: removing a tag must not silently drop a resource from its backups.
        var selection = Single(apps.For(suffix), "AWS::Backup::BackupSelection").Properties()["BackupSelection"]!;
        selection["ListOfTags"].ShouldBeNull();
        selection["Conditions"].ShouldBeNull();
        var resources = selection["Resources"]!.AsArray().Select(r => r!.ToJsonString()).ToList();
        resources.Count.ShouldBe(3);
        resources.ShouldContain(r => r.Contains(":rds:") && r.Contains(":cluster:") && r.Contains($"{{\"Ref\":\"{ClusterId}\"}}"), "the Aurora cluster's ARN");
        resources.ShouldContain($"{{\"Fn::GetAtt\":[\"{SessionsTableId}\",\"Arn\"]}}", "the sessions table's ARN");
        resources.ShouldContain($"{{\"Fn::GetAtt\":[\"{ApiKeysTableId}\",\"Arn\"]}}", "the api-keys table's ARN");
        selection["IamRoleArn"]!.ToJsonString().ShouldContain("SelectionRole");
    }

    [Fact]
    public void Prod_vault_is_locked_in_compliance_mode_between_the_shortest_and_longest_retention()
    {
        // Compliance mode (a lock with a grace time): after 3 days nobody, root included, can delete a recovery point
        // early or unlock the vault. Min <= 35 (daily) and max >= 365 (monthly), or AWS Backup refuses those jobs.
        var vault = Single(apps.Prod, "AWS::Backup::BackupVault").Properties();
        var lockConfiguration = vault["LockConfiguration"]!;
        ((int)lockConfiguration["MinRetentionDays"]!).ShouldBeLessThanOrEqualTo(35);
        ((int)lockConfiguration["MinRetentionDays"]!).ShouldBe(35, "as long as the shortest rule: nothing may be deleted earlier");
        ((int)lockConfiguration["MaxRetentionDays"]!).ShouldBeGreaterThanOrEqualTo(365);
        ((int)lockConfiguration["ChangeableForDays"]!).ShouldBe(3, "compliance mode with AWS Backup's minimum grace time");
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("pr-7")]
    [InlineData("staging")]
    public void Only_prod_locks_its_vault(string suffix)
    {
        // A locked vault can never be deleted before its recovery points expire: dev-like environments must stay
        // disposable, and staging rehearses restores, not a year of retention.
        Single(apps.For(suffix), "AWS::Backup::BackupVault").Properties()["LockConfiguration"].ShouldBeNull();
    }

    [Theory]
    [InlineData("dev", "Delete")]
    [InlineData("pr-7", "Delete")]
    [InlineData("staging", "Retain")]
    [InlineData("prod", "Retain")]
    public void Vault_goes_with_disposable_stacks_and_stays_with_kept_ones(string suffix, string policy)
    {
        var vault = Single(apps.For(suffix), "AWS::Backup::BackupVault");
        ((string?)vault["DeletionPolicy"]).ShouldBe(policy);
        ((string?)vault["UpdateReplacePolicy"]).ShouldBe(policy);
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void Failed_backup_jobs_alarm_on_the_first_failure(string suffix)
    {
        // A failed job is a day without a recovery point: fire on the first, and silence (no job ran) is fine.
        var env = apps.For(suffix);
        var alarm = env.Alarm("backup-jobs-failed");
        var metric = alarm.Metric();
        metric.Namespace.ShouldBe("AWS/Backup");
        metric.Name.ShouldBe("NumberOfBackupJobsFailed");
        metric.Dimensions.ShouldBe(new Dictionary<string, string> { ["BackupVaultName"] = env.Settings.Names.BackupVault });
        metric.Statistic.ShouldBe("Sum");
        metric.Period.ShouldBe(300);
        ((double)alarm["Threshold"]!).ShouldBe(1);
        ((string)alarm["ComparisonOperator"]!).ShouldBe("GreaterThanOrEqualToThreshold");
        ((int)alarm["EvaluationPeriods"]!).ShouldBe(1);
        ((string)alarm["TreatMissingData"]!).ShouldBe("notBreaching");
        alarm.ShouldNotifyTheAlertTopicOnAlarmAndOk();

        // The alarm must watch the vault the plan writes to.
        ((string)Single(env, "AWS::Backup::BackupVault").Properties()["BackupVaultName"]!).ShouldBe(env.Settings.Names.BackupVault);
    }
}
