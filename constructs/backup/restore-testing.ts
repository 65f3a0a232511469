import { Stack } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { throwOnProblems } from '../shared/problems';
import { ServiceRole } from '../shared/service-role';
import type { BackupSelectionTag } from './backup-plan';
import { restoreTestingProblems } from './backup-rules';

/** Which recovery point of the selection window a restore test restores. */
export type RestoreTestingAlgorithm = 'LATEST_WITHIN_WINDOW' | 'RANDOM_WITHIN_WINDOW';

/** Properties of a {@link RestoreTesting}. */
export interface RestoreTestingProps {
  /**
   * Name of the restore testing plan: 1 to 50 letters, digits or underscores (no hyphens). Changing it
   * replaces the plan and its selection.
   */
  readonly name: string;

  /** The vault whose recovery points are restored. */
  readonly vault: backup.IBackupVault;

  /**
   * When tests run: a cron expression (UTC), evaluated by AWS Backup between 00:00 and 23:59.
   *
   * @default - weekly, Mondays at 05:00 UTC
   */
  readonly schedule?: events.Schedule;

  /**
   * Hours after the scheduled time within which a test must start, 1 to 168.
   *
   * @default 24
   */
  readonly startWindowHours?: number;

  /**
   * Days back from the test a recovery point may come from, 1 to 365.
   *
   * @default 7
   */
  readonly selectionWindowDays?: number;

  /**
   * Which recovery point of the window is restored: the latest (what an incident would restore) or a
   * random one (to check older points too).
   *
   * @default 'LATEST_WITHIN_WINDOW'
   */
  readonly algorithm?: RestoreTestingAlgorithm;

  /**
   * Whether continuous backups are eligible besides snapshots. With the latest point chosen, a
   * database with continuous backups is then restored to a point in time, the restore an incident of
   * bad data would run.
   *
   * @default true
   */
  readonly includeContinuous?: boolean;

  /**
   * Instance type of the restored databases (`db.` + it is the DB instance class).
   *
   * @default - the class of the backed-up instance
   */
  readonly instanceType?: ec2.InstanceType;

  /**
   * Subnet group the restored databases are placed in: isolated subnets. Required: AWS Backup would
   * otherwise infer the default VPC, and fail where there is none.
   */
  readonly subnetGroup: rds.ISubnetGroup;

  /**
   * The only security group of the restored databases. A restored database holds production data and
   * production credentials: give a group without ingress rules (or only from a validation function).
   */
  readonly isolatedSecurityGroup: ec2.ISecurityGroup;

  /**
   * Tag that selects the databases to test: those whose latest recovery point carries it (AWS Backup
   * copies an instance's tags to its recovery points). Exactly one of `selectionTag` and `databases`.
   *
   * @default - `databases`
   */
  readonly selectionTag?: BackupSelectionTag;

  /**
   * The databases to test, at most 30. Exactly one of `selectionTag` and `databases`.
   *
   * @default - `selectionTag`
   */
  readonly databases?: rds.IDatabaseInstance[];

  /**
   * Hours a restored database is kept for validation (e.g. by a function that runs queries and calls
   * `PutRestoreValidationResult`), 1 to 168.
   *
   * @default - deleted as soon as the restore completes (which still measures the restore time)
   */
  readonly validationWindowHours?: number;
}

/**
 * AWS Backup restore testing of RDS instances: on a schedule, AWS Backup restores the latest (or a
 * random) recovery point of each selected database from `vault` into the isolated subnet group and
 * security group, records how long the restore took (the RTO actually achieved) and deletes the
 * restored instance (tagged `awsbackup-restore-test`) after the validation window.
 *
 * The restored instance is single-AZ, without deletion protection and not publicly accessible
 * (AWS Backup's inferred metadata); this construct overrides its subnet group, security groups and
 * optionally instance class. AWS Backup restores with a role (trusting AWS Backup of this account only)
 * carrying the AWS-managed restore policy; it creates the service-linked role
 * `AWSServiceRoleForBackupRestoreTesting` on first use.
 */
export class RestoreTesting extends Construct {
  /** The restore testing plan. */
  public readonly plan: backup.CfnRestoreTestingPlan;
  /** The selection of RDS instances. */
  public readonly selection: backup.CfnRestoreTestingSelection;
  /** The role AWS Backup restores with. */
  public readonly role: iam.IRole;

  constructor(scope: Construct, id: string, props: RestoreTestingProps) {
    super(scope, id);
    const schedule = props.schedule ?? events.Schedule.cron({ minute: '0', hour: '5', weekDay: 'MON' });
    const startWindowHours = props.startWindowHours ?? 24;
    const selectionWindowDays = props.selectionWindowDays ?? 7;
    const databases = props.databases ?? [];
    throwOnProblems(
      this,
      restoreTestingProblems({
        name: props.name,
        scheduleExpression: schedule.expressionString,
        selectionWindowDays,
        startWindowHours,
        validationWindowHours: props.validationWindowHours,
        selectedByTag: props.selectionTag !== undefined,
        databaseCount: databases.length,
      }),
    );

    this.plan = new backup.CfnRestoreTestingPlan(this, 'Resource', {
      restoreTestingPlanName: props.name,
      scheduleExpression: schedule.expressionString,
      startWindowHours,
      recoveryPointSelection: {
        algorithm: props.algorithm ?? 'LATEST_WITHIN_WINDOW',
        includeVaults: [props.vault.backupVaultArn],
        recoveryPointTypes: (props.includeContinuous ?? true) ? ['CONTINUOUS', 'SNAPSHOT'] : ['SNAPSHOT'],
        selectionWindowDays,
      },
    });

    const role = new ServiceRole(this, 'Role', {
      // No aws:SourceAccount condition: AWS Backup is not known to send it on AssumeRole, and a
      // condition on a key it does not send would make every job fail (see SERVICE_PRINCIPALS).
      assumedBy: new iam.ServicePrincipal('backup.amazonaws.com'),
      description: `AWS Backup restores the databases of restore testing plan ${props.name} with this role`,
      managedPolicies: [
        iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSBackupServiceRolePolicyForRestores'),
      ],
    });
    this.role = role;

    const overrides: Record<string, string> = {
      dbSubnetGroupName: props.subnetGroup.subnetGroupName,
      // List-valued overrides are JSON arrays in a string.
      vpcSecurityGroupIds: Stack.of(this).toJsonString([props.isolatedSecurityGroup.securityGroupId]),
    };
    if (props.instanceType !== undefined) {
      overrides.dbInstanceClass = `db.${props.instanceType.toString()}`;
    }
    const tag = props.selectionTag;
    this.selection = new backup.CfnRestoreTestingSelection(this, 'Rds', {
      // The plan's Ref is its name: the selection is created after the plan and deleted before it,
      // as AWS Backup requires.
      restoreTestingPlanName: this.plan.ref,
      restoreTestingSelectionName: 'RdsInstances',
      protectedResourceType: 'RDS',
      iamRoleArn: role.roleArn,
      // Tag conditions come with the wildcard ARN; AWS Backup rejects them next to specific ARNs.
      protectedResourceArns: tag === undefined ? databases.map((db) => db.instanceArn) : ['*'],
      protectedResourceConditions:
        tag === undefined ? undefined : { stringEquals: [{ key: `aws:ResourceTag/${tag.key}`, value: tag.value }] },
      restoreMetadataOverrides: overrides,
      validationWindowHours: props.validationWindowHours,
    });
    // The restore may run as soon as the selection exists: its permissions must be attached by then.
    // The managed policies are the role's own property (the ARN reference orders them); statements
    // added later land in a separate policy, which must be waited for too.
    if (role.policy !== undefined) {
      this.selection.node.addDependency(role.policy);
    }
  }
}
