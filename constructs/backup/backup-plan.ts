import { Duration, Stack } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acrossMembers } from '../data/metrics';
import { ValidationError } from '../shared/errors';
import { throwOnProblems } from '../shared/problems';
import { ServiceRole } from '../shared/service-role';
import { backupPlanProblems, tierRetentions, type BackupPlanRuleInput, type BackupTier } from './backup-rules';
import { BackupVault } from './backup-vault';

/** A tag that opts a resource into a backup plan. */
export interface BackupSelectionTag {
  /** Tag key, e.g. `backup`. */
  readonly key: string;
  /** Tag value, e.g. `shop-prod`. */
  readonly value: string;
}

/** Properties of a {@link RecoveryPlan}. */
export interface RecoveryPlanProps {
  /** Name of the plan (1 to 50 letters, digits, `-`, `_`, `.`), also the name of its selection. */
  readonly planName: string;

  /** The vault recovery points go to. */
  readonly vault: backup.IBackupVault;

  /**
   * The tag a resource carries to be backed up by this plan: every resource of `protectedResourceTypes`
   * in the account and region with it is selected (S3 needs bucket versioning). The types are named by
   * ARN, so the region's AWS Backup opt-in settings (which CloudFormation cannot set, and which a
   * selection by tags alone obeys silently) do not apply.
   */
  readonly selectionTag: BackupSelectionTag;

  /**
   * Whether the plan keeps continuous backups of RDS instances and S3 buckets, for point-in-time
   * restores to any second within `continuousRetentionDays` (RPO of minutes). AWS Backup then takes
   * over the RDS instance's automated backups (their window and retention) from RDS. Turning it on for
   * an instance whose automated backups were off (or off again) restarts the instance.
   *
   * @default true
   */
  readonly continuous?: boolean;

  /**
   * Days continuous backups are kept, 1 to 35.
   *
   * @default 35
   */
  readonly continuousRetentionDays?: number;

  /**
   * Days hourly snapshots are kept, for an RPO of one hour where continuous backups are not supported.
   * RDS snapshots fail when they coincide with the instance's automated backup or maintenance window,
   * unless `continuous` lets AWS Backup schedule around them.
   *
   * @default - no hourly snapshots
   */
  readonly hourlyRetentionDays?: number;

  /**
   * Days daily snapshots are kept.
   *
   * @default - no daily snapshots
   */
  readonly dailyRetentionDays?: number;

  /**
   * Days weekly snapshots (Sundays) are kept, 7 or more.
   *
   * @default - no weekly snapshots
   */
  readonly weeklyRetentionDays?: number;

  /**
   * Days monthly snapshots (1st of the month) are kept, 31 or more.
   *
   * @default - no monthly snapshots
   */
  readonly monthlyRetentionDays?: number;

  /**
   * Hour (UTC) of the daily, weekly and monthly snapshots and of the continuous rule's schedule.
   *
   * @default 3
   */
  readonly scheduleHourUtc?: number;

  /**
   * Minutes after its scheduled time a job may still start (else it expires), 60 or more; exactly 60
   * with hourly snapshots.
   *
   * @default 60
   */
  readonly startWindowMinutes?: number;

  /**
   * Minutes after its scheduled time a started job must be complete (else it is cancelled), at least
   * 60 more than the start window. The first backup of a large S3 bucket is a full copy: give it time.
   *
   * @default 480
   */
  readonly completionWindowMinutes?: number;

  /**
   * A vault in another region (or account) that recovery points of `copyFromTier` are copied to, for
   * disaster recovery: e.g. `BackupVault.fromBackupVaultArn(this, 'Dr', 'arn:aws:backup:<dr-region>:
   * <account>:backup-vault:<name>')`. AWS Backup encrypts the copies with that vault's key, in its
   * region. Copies of continuous backups are snapshots (no point-in-time restore in the copy).
   *
   * @default - no copies
   */
  readonly copyTo?: backup.IBackupVault;

  /**
   * The tier whose recovery points are copied to `copyTo`; its schedule is the RPO of a region loss
   * (`continuous` copies follow the continuous rule's daily schedule). The plan must have that tier.
   *
   * @default 'daily'
   */
  readonly copyFromTier?: BackupTier;

  /**
   * Days copies are kept in `copyTo`.
   *
   * @default - required with `copyTo`
   */
  readonly copyRetentionDays?: number;

  /**
   * The AWS Backup resource types the plan protects, as the `ResourceType` dimension of AWS Backup's
   * metrics names them: RDS, S3, DynamoDB or EFS. The selection names each by an ARN pattern of the
   * stack's account and region, narrowed by `selectionTag`; the metric methods sum over them.
   *
   * @default ['RDS', 'S3']
   */
  readonly protectedResourceTypes?: readonly string[];
}

/** AWS-managed policies of the backup role: backup and restore, and S3's own pair (no `service-role/` path). */
const MANAGED_POLICIES = [
  'service-role/AWSBackupServiceRolePolicyForBackup',
  'service-role/AWSBackupServiceRolePolicyForRestores',
  'AWSBackupServiceRolePolicyForS3Backup',
  'AWSBackupServiceRolePolicyForS3Restore',
];

/**
 * An AWS Backup plan with up to five tiers into one vault, for resources that opt in by a tag:
 *
 * - continuous backups (point-in-time restore) of RDS and S3, kept up to 35 days;
 * - hourly, daily, weekly (Sunday) and monthly (1st) snapshots, each kept its own number of days,
 *   never moved to cold storage;
 * - optionally, copies of one tier's recovery points to a vault in another region;
 * - a role AWS Backup assumes (this account only) with the AWS-managed backup and restore policies,
 *   S3's included.
 *
 * Rule names are fixed per tier (`Continuous`, `Hourly`, ...), so changing a retention updates the
 * plan in place. Removing a tier stops its backups; its recovery points stay until they expire.
 */
export class RecoveryPlan extends Construct {
  /** The plan. */
  public readonly plan: backup.BackupPlan;
  /** The tag-based selection of the plan. */
  public readonly selection: backup.BackupSelection;
  /** The role AWS Backup backs up and restores the selected resources with. */
  public readonly role: iam.IRole;

  private readonly vault: backup.IBackupVault;
  /** The vault recovery points are copied to, if any. */
  public readonly copyTo?: backup.IBackupVault;
  private readonly resourceTypes: readonly string[];

  constructor(scope: Construct, id: string, props: RecoveryPlanProps) {
    super(scope, id);
    const input: BackupPlanRuleInput = {
      planName: props.planName,
      continuous: props.continuous ?? true,
      continuousRetentionDays: props.continuousRetentionDays ?? 35,
      hourlyRetentionDays: props.hourlyRetentionDays,
      dailyRetentionDays: props.dailyRetentionDays,
      weeklyRetentionDays: props.weeklyRetentionDays,
      monthlyRetentionDays: props.monthlyRetentionDays,
      scheduleHourUtc: props.scheduleHourUtc ?? 3,
      startWindowMinutes: props.startWindowMinutes ?? 60,
      completionWindowMinutes: props.completionWindowMinutes ?? 480,
      selectionTagKey: props.selectionTag.key,
      selectionTagValue: props.selectionTag.value,
      copying: props.copyTo !== undefined,
      copyFromTier: props.copyTo === undefined ? props.copyFromTier : (props.copyFromTier ?? 'daily'),
      copyRetentionDays: props.copyRetentionDays,
      vaultLock: BackupVault.lockOf(props.vault),
      copyVaultLock: props.copyTo === undefined ? undefined : BackupVault.lockOf(props.copyTo),
    };
    throwOnProblems(this, backupPlanProblems(input));
    this.vault = props.vault;
    this.copyTo = props.copyTo;
    this.resourceTypes = props.protectedResourceTypes ?? ['RDS', 'S3'];

    const hour = String(input.scheduleHourUtc);
    const schedules: Record<BackupTier, events.Schedule> = {
      // An hour before the snapshot tiers: how AWS Backup chooses between a continuous and a snapshot
      // rule due together with equal retention is not documented.
      continuous: events.Schedule.cron({ minute: '0', hour: String((input.scheduleHourUtc + 23) % 24) }),
      hourly: events.Schedule.cron({ minute: '0' }),
      daily: events.Schedule.cron({ minute: '0', hour }),
      weekly: events.Schedule.cron({ minute: '0', hour, weekDay: 'SUN' }),
      monthly: events.Schedule.cron({ minute: '0', hour, day: '1' }),
    };
    const rules = tierRetentions(input).map(
      ({ tier, days }) =>
        new backup.BackupPlanRule({
          ruleName: tier.charAt(0).toUpperCase() + tier.slice(1),
          enableContinuousBackup: tier === 'continuous' ? true : undefined,
          scheduleExpression: schedules[tier],
          startWindow: Duration.minutes(input.startWindowMinutes),
          completionWindow: Duration.minutes(input.completionWindowMinutes),
          deleteAfter: Duration.days(days),
          // AWS Backup runs only the longest-kept of rules due at the same time: on Sundays the weekly
          // rule replaces the daily one, on the 1st the monthly one. Every tier from the copying one
          // down copies, or those days would leave the other region without a copy.
          copyActions:
            props.copyTo !== undefined && copiesFrom(tier, input.copyFromTier) && input.copyRetentionDays !== undefined
              ? [{ destinationBackupVault: props.copyTo, deleteAfter: Duration.days(input.copyRetentionDays) }]
              : undefined,
        }),
    );
    this.plan = new backup.BackupPlan(this, 'Resource', {
      backupPlanName: props.planName,
      backupVault: props.vault,
      backupPlanRules: rules,
    });

    const role = new ServiceRole(this, 'Role', {
      // No aws:SourceAccount condition: AWS Backup is not known to send it on AssumeRole, and a
      // condition on a key it does not send would make every job fail (see SERVICE_PRINCIPALS).
      assumedBy: new iam.ServicePrincipal('backup.amazonaws.com'),
      description: `AWS Backup backs up and restores the resources of plan ${props.planName} with this role`,
      managedPolicies: MANAGED_POLICIES.map((name) => iam.ManagedPolicy.fromAwsManagedPolicyName(name)),
    });
    if (props.copyTo !== undefined && input.copyFromTier === 'continuous') {
      // A copy of a continuous RDS backup goes through a temporary snapshot that AWS Backup deletes
      // with this role; without the permission it keeps an expired recovery point instead.
      const stack = Stack.of(this);
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'DeleteTemporarySnapshotsOfContinuousCopies',
          actions: ['rds:DeleteDBSnapshot'],
          resources: [`arn:${stack.partition}:rds:${stack.region}:${stack.account}:snapshot:awsbackup:*`],
        }),
      );
    }
    this.role = role;

    // The resource types by ARN, narrowed by the tag: a selection by tags alone silently skips
    // resource types not opted in in the region's AWS Backup settings (UpdateRegionSettings, which
    // CloudFormation cannot set); types named by ARN are backed up regardless.
    const stack = Stack.of(this);
    this.selection = new backup.BackupSelection(this, 'Selection', {
      backupPlan: this.plan,
      backupSelectionName: props.planName,
      resources: this.resourceTypes.map((type) => backup.BackupResource.fromArn(resourceArnPattern(stack, type))),
      role,
      // The role carries its managed policies already.
      disableDefaultBackupPolicy: true,
    });
    (this.selection.node.defaultChild as backup.CfnBackupSelection).addPropertyOverride('BackupSelection.Conditions', {
      StringEquals: [
        { ConditionKey: `aws:ResourceTag/${props.selectionTag.key}`, ConditionValue: props.selectionTag.value },
      ],
    });
  }

  /**
   * Backup jobs of the plan's vault that failed (`NumberOfBackupJobsFailed`, sum), over the protected
   * resource types. AWS Backup publishes nonzero values only: alarm with missing data as not breaching.
   * `props` are split by `splitMetricOptions` with `alike` members.
   */
  public metricBackupJobsFailed(props?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    return this.jobMetric('NumberOfBackupJobsFailed', [this.vault], props, 'Failed backup jobs');
  }

  /**
   * Backup jobs of the plan's vault that AWS Backup reports as expired (`NumberOfBackupJobsExpired`,
   * sum): a job that ended without its recovery point being kept as planned. Published as
   * {@link metricBackupJobsFailed}.
   */
  public metricBackupJobsExpired(props?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    return this.jobMetric('NumberOfBackupJobsExpired', [this.vault], props, 'Expired backup jobs');
  }

  /**
   * Copy jobs to `copyTo` that failed (`NumberOfCopyJobsFailed`, sum over both vaults' names and the
   * resource types), read in this stack's region, where the copy jobs run. Published as
   * {@link metricBackupJobsFailed}.
   */
  public metricCopyJobsFailed(props?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    if (this.copyTo === undefined) {
      throw new ValidationError(this, 'the plan copies nothing (no copyTo), so it has no copy jobs to measure');
    }
    // AWS Backup's documentation does not say whether a copy job's metrics name its source or its
    // destination vault: both are summed, so the alarm fires either way.
    return this.jobMetric('NumberOfCopyJobsFailed', [this.vault, this.copyTo], props, 'Failed copy jobs');
  }

  private jobMetric(
    metricName: string,
    vaults: readonly backup.IBackupVault[],
    props: cloudwatch.MetricOptions | undefined,
    label: string,
  ): cloudwatch.IMetric {
    const members = vaults.flatMap((vault) => this.resourceTypes.map((resourceType) => ({ vault, resourceType })));
    return acrossMembers(
      this,
      'SUM',
      members,
      ({ vault, resourceType }, options) =>
        new cloudwatch.Metric({
          namespace: 'AWS/Backup',
          metricName,
          dimensionsMap: { ResourceType: resourceType, BackupVaultName: vault.backupVaultName },
          statistic: cloudwatch.Stats.SUM,
          ...options,
        }),
      props,
      label,
    );
  }
}

/** Tiers from the most to the least frequent. */
const TIER_ORDER: readonly BackupTier[] = ['continuous', 'hourly', 'daily', 'weekly', 'monthly'];

/** Whether `tier` copies when copies start at `copyFromTier`: that tier and every less frequent one. */
function copiesFrom(tier: BackupTier, copyFromTier: BackupTier | undefined): boolean {
  return copyFromTier !== undefined && TIER_ORDER.indexOf(tier) >= TIER_ORDER.indexOf(copyFromTier);
}

/** Every resource of an AWS Backup resource type in the stack's account and region, as an ARN pattern. */
function resourceArnPattern(stack: Stack, resourceType: string): string {
  const patterns: Record<string, string> = {
    RDS: `arn:${stack.partition}:rds:${stack.region}:${stack.account}:db:*`,
    S3: `arn:${stack.partition}:s3:::*`,
    DynamoDB: `arn:${stack.partition}:dynamodb:${stack.region}:${stack.account}:table/*`,
    EFS: `arn:${stack.partition}:elasticfilesystem:${stack.region}:${stack.account}:file-system/*`,
  };
  const pattern = patterns[resourceType];
  if (pattern === undefined) {
    throw new ValidationError(
      stack,
      `protectedResourceTypes: "${resourceType}" has no ARN pattern here; use ${Object.keys(patterns).join(', ')}`,
    );
  }
  return pattern;
}
