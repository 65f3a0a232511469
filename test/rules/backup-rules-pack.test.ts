import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as rds from 'aws-cdk-lib/aws-rds';
import { deployReadinessFindings, idsOf, ruleStack } from './support';

const DR = 'arn:aws:backup:eu-central-1:123456789012:backup-vault:dr';

/** A plan with a daily rule copying to DR and a weekly rule at `weeklyHour` (copying when `weeklyCopies`). */
function plan(weeklyHour: string, weeklyCopies: boolean) {
  const stack = ruleStack();
  const vault = new backup.BackupVault(stack, 'Vault');
  const dr = backup.BackupVault.fromBackupVaultArn(stack, 'Dr', DR);
  const copy = [{ destinationBackupVault: dr, deleteAfter: Duration.days(35) }];
  new backup.BackupPlan(stack, 'Plan', {
    backupVault: vault,
    backupPlanRules: [
      new backup.BackupPlanRule({
        ruleName: 'Daily',
        scheduleExpression: events.Schedule.cron({ minute: '0', hour: '3' }),
        deleteAfter: Duration.days(35),
        copyActions: copy,
      }),
      new backup.BackupPlanRule({
        ruleName: 'Weekly',
        scheduleExpression: events.Schedule.cron({ minute: '0', hour: weeklyHour, weekDay: 'SUN' }),
        deleteAfter: Duration.days(90),
        copyActions: weeklyCopies ? copy : undefined,
      }),
    ],
  });
  return stack;
}

describe('DeployReadiness-BackupCopyOnOverlappingRules', () => {
  const RULE = 'BackupCopyOnOverlappingRules';
  test('flags a longer-kept rule at the same time that does not copy: it replaces the copying one on its days', () => {
    expect(idsOf(deployReadinessFindings(plan('3', false)), RULE, 'Test/Plan')).toEqual([`DeployReadiness-${RULE}`]);
  });
  test('accepts the same copy on the overlapping rule, or another start time', () => {
    expect(idsOf(deployReadinessFindings(plan('3', true)), RULE)).toEqual([]);
    expect(idsOf(deployReadinessFindings(plan('5', false)), RULE)).toEqual([]);
  });
});

describe('DeployReadiness-BackupSelectionNamesResourceTypes', () => {
  const RULE = 'BackupSelectionNamesResourceTypes';
  function selection(resources: backup.BackupResource[]) {
    const stack = ruleStack();
    const p = backup.BackupPlan.daily35DayRetention(stack, 'Plan');
    new backup.BackupSelection(stack, 'Selection', { backupPlan: p, resources });
    return stack;
  }
  test('flags a selection by tags alone (the region opt-in skips unlisted types silently)', () => {
    const stack = selection([backup.BackupResource.fromTag('backup', 'yes')]);
    expect(idsOf(deployReadinessFindings(stack), RULE, 'Test/Selection')).toEqual([`DeployReadiness-${RULE}`]);
  });
  test('accepts resource types named by ARN', () => {
    const stack = selection([backup.BackupResource.fromArn('arn:aws:rds:eu-west-1:123456789012:db:*')]);
    expect(idsOf(deployReadinessFindings(stack), RULE)).toEqual([]);
  });
});

describe('DeployReadiness-RdsReplicaKeptIfPromoted', () => {
  const RULE = 'RdsReplicaKeptIfPromoted';
  function replica(removalPolicy: RemovalPolicy | undefined) {
    const stack = ruleStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0 });
    const source = new rds.DatabaseInstance(stack, 'Primary', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17 }),
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
    });
    new rds.DatabaseInstanceReadReplica(stack, 'Replica', {
      sourceDatabaseInstance: source,
      instanceType: new ec2.InstanceType('t4g.micro'),
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      removalPolicy,
    });
    return stack;
  }
  test('flags a replica deleted with its stack: Snapshot (the default: no snapshot of a replica) or Delete', () => {
    expect(idsOf(deployReadinessFindings(replica(undefined)), RULE, 'Test/Replica')).toEqual([
      `DeployReadiness-${RULE}`,
    ]);
    expect(idsOf(deployReadinessFindings(replica(RemovalPolicy.DESTROY)), RULE)).toHaveLength(1);
  });
  test('accepts Retain and RetainExceptOnCreate, and does not apply to the primary', () => {
    expect(idsOf(deployReadinessFindings(replica(RemovalPolicy.RETAIN)), RULE)).toEqual([]);
    expect(idsOf(deployReadinessFindings(replica(RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE)), RULE)).toEqual([]);
  });
});
