import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { RecoveryPlan } from '../backup/backup-plan';
import { alarmable, alarmFactoryOf } from './alarm-actions';

/** Properties of {@link BackupAlarms}. */
export interface BackupAlarmsProps {
  /** Prefix of every alarm name, e.g. `shop-prod`. */
  readonly alarmNamePrefix: string;
  /** The backup plan whose jobs are watched. */
  readonly plan: RecoveryPlan;
  /**
   * Whether the plan copies recovery points to another vault: then failed copy jobs alarm too.
   *
   * @default false
   */
  readonly copies?: boolean;
  /**
   * Topic notified on ALARM and on OK.
   *
   * @default - no actions: the alarms record their states only
   */
  readonly notificationTopic?: sns.ITopic;
}

/**
 * Alarms on what makes a recovery point go missing without anybody noticing: a failed backup job, an
 * expired one, and, where the plan copies to another region, a failed copy job. Each is a count over one hour; one event alarms (a missed point is an
 * RPO breach, not noise). AWS Backup publishes these counts only when nonzero, so missing data is
 * not breaching.
 */
export class BackupAlarms extends Construct {
  /** Every alarm. */
  public readonly alarms: readonly cloudwatch.AlarmBase[];

  constructor(scope: Construct, id: string, props: BackupAlarmsProps) {
    super(scope, id);
    const factory = alarmFactoryOf(this, props.alarmNamePrefix, 'Backup', {
      notificationTopic: props.notificationTopic,
    });
    const hourly = { period: Duration.hours(1) };
    const once = {
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      datapointsToAlarm: 1,
      evaluationPeriods: 1,
    };
    const alarms = [
      factory.addAlarm(alarmable(this, props.plan.metricBackupJobsFailed(hourly)), {
        ...once,
        alarmNameSuffix: 'JobsFailed',
        alarmDescription: 'A backup job failed: a recovery point is missing (see AWS Backup > Jobs for the reason)',
      }).alarm,
      factory.addAlarm(alarmable(this, props.plan.metricBackupJobsExpired(hourly)), {
        ...once,
        alarmNameSuffix: 'JobsExpired',
        alarmDescription: 'AWS Backup reports an expired backup job (see AWS Backup > Jobs): check the recovery points',
      }).alarm,
    ];
    if (props.copies === true) {
      alarms.push(
        factory.addAlarm(alarmable(this, props.plan.metricCopyJobsFailed(hourly)), {
          ...once,
          alarmNameSuffix: 'CopyJobsFailed',
          alarmDescription: 'A copy job to the disaster-recovery vault failed: the other region lacks a recovery point',
        }).alarm,
      );
    }
    this.alarms = alarms;
  }
}
