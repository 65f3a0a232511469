import { Template } from 'aws-cdk-lib/assertions';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as sns from 'aws-cdk-lib/aws-sns';
import { BackupVault, RecoveryPlan } from '../../constructs/backup';
import { BackupAlarms, StandbyAlarms } from '../../constructs/observability';
import { testStandbyReplica } from '../support/builders';
import { testStack } from '../support/test-stack';

type Alarm = { Properties: Record<string, unknown> };

function alarmsByName(template: Template): Record<string, Alarm['Properties']> {
  return Object.fromEntries(
    Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => [
      String((a as Alarm).Properties.AlarmName),
      (a as Alarm).Properties,
    ]),
  );
}

describe('BackupAlarms', () => {
  function build(copies: boolean, topic: boolean) {
    const stack = testStack();
    const vault = new BackupVault(stack, 'Vault', { vaultName: 'shop-prod' });
    const plan = new RecoveryPlan(stack, 'Plan', {
      planName: 'shop-prod',
      vault: vault.vault,
      selectionTag: { key: 'backup', value: 'shop-prod' },
      dailyRetentionDays: 35,
      ...(copies
        ? {
            copyTo: backup.BackupVault.fromBackupVaultArn(
              stack,
              'Dr',
              'arn:aws:backup:eu-central-1:123456789012:backup-vault:shop-prod-dr',
            ),
            copyRetentionDays: 35,
          }
        : {}),
    });
    new BackupAlarms(stack, 'Alarms', {
      alarmNamePrefix: 'shop-prod',
      plan,
      copies,
      notificationTopic: topic ? new sns.Topic(stack, 'Topic') : undefined,
    });
    return Template.fromStack(stack);
  }

  test('one failed or expired job in an hour alarms; missing data (nothing failed) is fine', () => {
    const alarms = alarmsByName(build(false, true));
    expect(Object.keys(alarms).sort()).toEqual(['shop-prod-Backup-JobsExpired', 'shop-prod-Backup-JobsFailed']);
    for (const alarm of Object.values(alarms)) {
      expect(alarm).toMatchObject({
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        EvaluationPeriods: 1,
        DatapointsToAlarm: 1,
        ActionsEnabled: true,
      });
      const metrics = alarm.Metrics as Array<{ MetricStat?: { Period: number; Metric: { Namespace: string } } }>;
      const stats = metrics.filter((m) => m.MetricStat !== undefined);
      // One series per protected resource type (RDS, S3), summed, over one hour.
      expect(stats).toHaveLength(2);
      expect(stats.every((m) => m.MetricStat?.Period === 3600 && m.MetricStat.Metric.Namespace === 'AWS/Backup')).toBe(
        true,
      );
    }
  });

  test('a plan that copies alarms on failed copy jobs too; without a topic the alarms only record', () => {
    const alarms = alarmsByName(build(true, false));
    expect(Object.keys(alarms)).toContain('shop-prod-Backup-CopyJobsFailed');
    const copy = alarms['shop-prod-Backup-CopyJobsFailed']!;
    expect(JSON.stringify(copy.Metrics)).toContain('NumberOfCopyJobsFailed');
    expect(JSON.stringify(copy.Metrics)).toContain('shop-prod-dr');
    expect(Object.values(alarms).every((a) => a.ActionsEnabled === false)).toBe(true);
  });
});

describe('StandbyAlarms', () => {
  function build(overrides: { lag?: number; free?: number } = {}) {
    const { stack, replica } = testStandbyReplica();
    new StandbyAlarms(stack, 'Alarms', {
      alarmNamePrefix: 'shop-prod',
      replica,
      lagThresholdSeconds: overrides.lag,
      freeStorageThresholdGiB: overrides.free,
      notificationTopic: new sns.Topic(stack, 'Topic'),
    });
    return alarmsByName(Template.fromStack(stack));
  }

  test('lag beyond the threshold, or no lag published at all (not replicating), alarms', () => {
    const lag = build({ lag: 120 })['shop-prod-Standby-ReplicaLag']!;
    expect(lag).toMatchObject({
      MetricName: 'ReplicaLag',
      Namespace: 'AWS/RDS',
      Statistic: 'Maximum',
      Threshold: 120,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'breaching',
      ActionsEnabled: true,
    });
    expect(build()['shop-prod-Standby-ReplicaLag']?.Threshold).toBe(900);
  });

  test('free storage below the threshold alarms, in bytes', () => {
    const storage = build({ free: 20 })['shop-prod-Standby-FreeStorage']!;
    expect(storage).toMatchObject({
      MetricName: 'FreeStorageSpace',
      Threshold: 20 * 1024 ** 3,
      ComparisonOperator: 'LessThanThreshold',
    });
  });
});
