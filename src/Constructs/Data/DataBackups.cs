using Amazon.CDK;
using Amazon.CDK.AWS.Backup;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.DynamoDB;
using Amazon.CDK.AWS.Events;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.RDS;
using Constructs;
using TradingPlatform.Constructs.Core;
using TradingPlatform.Constructs.Monitoring;

namespace TradingPlatform.Constructs.Data;

public sealed record DataBackupsProps
{
    /// <summary>Required. Encrypts the vault's recovery points of fully managed types (DynamoDB).</summary>
    public required IKey VaultKey { get; init; }
    /// <summary>Required. The vault's fixed name (also the failed-jobs alarm's dimension).</summary>
    public required string VaultName { get; init; }
    /// <summary>Required. The plan's fixed name; the selection is named &lt;plan&gt;-data.</summary>
    public required string PlanName { get; init; }
    /// <summary>Required. What happens to the vault when the stack is deleted (it must be empty to be deleted).</summary>
    public required RemovalPolicy RemovalPolicy { get; init; }
    /// <summary>
    /// Required. Production keeps monthly recovery points for a year besides the daily ones, and locks the vault in
    /// compliance mode.
    /// </summary>
    public required bool Production { get; init; }
    /// <summary>Required. The Aurora cluster to back up.</summary>
    public required DatabaseCluster Cluster { get; init; }
    /// <summary>Required. The DynamoDB tables to back up.</summary>
    public required IReadOnlyList<ITable> Tables { get; init; }
    /// <summary>Required. Creates the failed-jobs alarm.</summary>
    public required PlatformAlarms Alarms { get; init; }
    /// <summary>
    /// The vault in another region that every rule copies each recovery point into, with the rule's retention, and
    /// whose copy failures raise an alarm. Default: null, no copy (dev-like environments: no copy cost).
    /// </summary>
    public string? CopyToVaultArn { get; init; }
}

/// <summary>
/// AWS Backup for the data layer: a vault encrypted with the backup key, a plan (daily kept 35 days everywhere; in prod
/// also monthly kept a year) and a selection of the Aurora cluster and both tables by ARN. In prod the vault is locked
/// in compliance mode: nobody, root included, can delete a recovery point before its retention ends.
/// Aurora's own 7-day automated backups and DynamoDB's 35-day point-in-time recovery stay as the fast path;
/// these recovery points are the long-term copies, kept apart from the resources (and, in prod, locked).
/// The vault key encrypts recovery points of types AWS Backup fully manages (DynamoDB with advanced backup features);
/// Aurora snapshots stay encrypted with the cluster's own key (the database key), as AWS Backup documents for RDS. Their
/// copies in the recovery vault (another region) are re-encrypted with that vault's key, whatever their type.
/// </summary>
public sealed class DataBackups : PlatformComponent
{
    /// <summary>Daily recovery points, every environment: AWS Backup's own default, and PITR's window for the tables.</summary>
    public static readonly Duration DailyRetention = Duration.Days(35);
    /// <summary>Monthly recovery points in prod: a year of month-end states (PCI-DSS 10.7's audit year).</summary>
    public static readonly Duration MonthlyRetention = Duration.Days(365);
    /// <summary>
    /// The grace time of prod's compliance-mode lock: the minimum AWS Backup allows (72 hours). Within it the lock can
    /// still be removed (a wrong retention found right after the first deploy); after it, it is immutable for ever.
    /// </summary>
    public static readonly Duration LockChangeableFor = Duration.Days(3);

    /// <summary>Prod's compliance-mode lock: the recovery vault takes the same (its copies keep these rules' retention).</summary>
    public static LockConfiguration ProductionLock => new()
    {
        MinRetention = DailyRetention, MaxRetention = MonthlyRetention, ChangeableFor = LockChangeableFor,
    };

    public BackupVault Vault { get; }
    /// <summary>Fires when a copy to the recovery vault failed: that recovery point has no copy outside the region. Null without copies.</summary>
    public Alarm? CopyJobsFailedAlarm { get; }
    public Amazon.CDK.AWS.Backup.BackupPlan Plan { get; }
    public BackupSelection Selection { get; }
    public Alarm FailedJobsAlarm { get; }

    public DataBackups(
        Construct scope, string id, DataBackupsProps props)
        : base(scope, id)
    {
        var isProd = props.Production;
        Vault = new BackupVault(this, "BackupVault", new BackupVaultProps
        {
            BackupVaultName = props.VaultName,
            EncryptionKey = props.VaultKey,
            // Dev-like vaults go with the stack. CloudFormation cannot delete a vault that still holds recovery points:
            // delete them first (README, Backups) or the stack deletion stops at the vault.
            RemovalPolicy = props.RemovalPolicy,
            // Compliance mode (a lock with ChangeableFor): bounds every recovery point's retention between the shortest
            // and the longest of our rules, and after the grace time nobody can shorten, delete or unlock them.
            LockConfiguration = isProd ? ProductionLock : null,
        });

        // Every rule copies each recovery point to the recovery vault with its own retention (the vault is in another
        // region: named by its ARN, derived from account, region and name, see RecoveryStack).
        var copyTo = props.CopyToVaultArn is { } arn ? BackupVault.FromBackupVaultArn(this, "RecoveryVault", arn) : null;
        BackupPlanCopyActionProps[]? CopyFor(Duration retention) => copyTo is null ? null
            : [new BackupPlanCopyActionProps { DestinationBackupVault = copyTo, DeleteAfter = retention }];

        // 05:00 UTC: after the US session closes and before Europe opens.
        var rules = new List<BackupPlanRule>
        {
            new(new BackupPlanRuleProps
            {
                RuleName = "Daily",
                ScheduleExpression = Schedule.Cron(new CronOptions { Hour = "5", Minute = "0" }),
                DeleteAfter = DailyRetention,
                CopyActions = CopyFor(DailyRetention),
            }),
        };
        if (isProd)
        {
            // No cold storage: Aurora recovery points cannot move there, and a year is within warm storage's economics.
            rules.Add(new(new BackupPlanRuleProps
            {
                RuleName = "Monthly",
                ScheduleExpression = Schedule.Cron(new CronOptions { Day = "1", Hour = "5", Minute = "0" }),
                DeleteAfter = MonthlyRetention,
                CopyActions = CopyFor(MonthlyRetention),
            }));
        }

        Plan = new Amazon.CDK.AWS.Backup.BackupPlan(this, "BackupPlan", new BackupPlanProps
        {
            BackupPlanName = props.PlanName,
            BackupVault = Vault,
            BackupPlanRules = rules.ToArray(),
        });

        // By ARN, not by tag: a tag someone removes would silently drop a resource from its backups.
        Selection = Plan.AddSelection("Selection", new BackupSelectionOptions
        {
            BackupSelectionName = $"{props.PlanName}-data",
            Resources =
            [
                BackupResource.FromRdsDatabaseCluster(props.Cluster),
                .. props.Tables.Select(BackupResource.FromDynamoDbTable),
            ],
        });
        NagSuppressions.Add(Selection.Node.FindChild("Role"),
            new NagSuppression("AwsSolutions-IAM4",
                "AWSBackupServiceRolePolicyForBackup is the AWS-maintained policy AWS Backup needs to snapshot Aurora and DynamoDB; the selection limits it to our cluster and tables.",
                "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"));

        FailedJobsAlarm = props.Alarms.Add(this, "BackupJobsFailedAlarm", new AlarmDefinition(
            "backup-jobs-failed",
            "An AWS Backup job of the trading data failed: that day has no recovery point for the cluster or a table.",
            new Metric(new MetricProps
            {
                Namespace = "AWS/Backup",
                MetricName = "NumberOfBackupJobsFailed",
                DimensionsMap = new Dictionary<string, string> { ["BackupVaultName"] = props.VaultName },
                Statistic = Stats.SUM,
                Period = Duration.Minutes(5),
            }),
            1, ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            // Job counts are only reported when jobs run (once a day): no data is no failure.
            TreatMissingData.NOT_BREACHING) { EvaluationPeriods = 1 });

        if (copyTo is not null)
        {
            CopyJobsFailedAlarm = props.Alarms.Add(this, "BackupCopyJobsFailedAlarm", new AlarmDefinition(
                "backup-copy-jobs-failed",
                "A copy of a trading-data recovery point to the recovery vault failed: that point has no copy outside the primary region.",
                new Metric(new MetricProps
                {
                    Namespace = "AWS/Backup",
                    MetricName = "NumberOfCopyJobsFailed",
                    DimensionsMap = new Dictionary<string, string> { ["BackupVaultName"] = props.VaultName },
                    Statistic = Stats.SUM,
                    Period = Duration.Minutes(5),
                }),
                1, ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                TreatMissingData.NOT_BREACHING) { EvaluationPeriods = 1 });
        }
    }
}
