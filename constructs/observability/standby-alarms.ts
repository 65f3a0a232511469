import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { CrossRegionReplica } from '../data/cross-region-replica';
import { alarmable, alarmFactoryOf } from './alarm-actions';

/** Properties of {@link StandbyAlarms}. */
export interface StandbyAlarmsProps {
  /** Prefix of every alarm name, e.g. `shop-prod`. */
  readonly alarmNamePrefix: string;
  /** The standby replica. */
  readonly replica: CrossRegionReplica;
  /**
   * Lag behind the source above which the standby no longer meets the recovery point objective,
   * in seconds.
   *
   * @default 900
   */
  readonly lagThresholdSeconds?: number;
  /**
   * Free storage below which the standby is about to stop replicating, in GiB.
   *
   * @default 10
   */
  readonly freeStorageThresholdGiB?: number;
  /**
   * Topic notified on ALARM and on OK. Alarms act in their own region only: the standby's region
   * needs a topic of its own.
   *
   * @default - no actions: the alarms record their states only
   */
  readonly notificationTopic?: sns.ITopic;
}

/**
 * Alarms of a cross-region standby replica: lag beyond the RPO, or no lag published at all (the
 * replica stopped replicating: source unreachable, replication broken, instance stopped), for 15
 * minutes; and storage running out, which stops replication.
 */
export class StandbyAlarms extends Construct {
  /** Every alarm. */
  public readonly alarms: readonly cloudwatch.AlarmBase[];

  constructor(scope: Construct, id: string, props: StandbyAlarmsProps) {
    super(scope, id);
    const lagSeconds = props.lagThresholdSeconds ?? 900;
    const freeGiB = props.freeStorageThresholdGiB ?? 10;
    const factory = alarmFactoryOf(this, props.alarmNamePrefix, 'Standby', {
      notificationTopic: props.notificationTopic,
    });
    const fiveMinutes = { period: Duration.minutes(5) };
    this.alarms = [
      factory.addAlarm(alarmable(this, props.replica.metricReplicaLag(fiveMinutes)), {
        alarmNameSuffix: 'ReplicaLag',
        alarmDescription: `The standby in the recovery region is more than ${lagSeconds} s behind its source, or publishes no ReplicaLag (not replicating)`,
        threshold: lagSeconds,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      }).alarm,
      factory.addAlarm(alarmable(this, props.replica.metricFreeStorageSpace(fiveMinutes)), {
        alarmNameSuffix: 'FreeStorage',
        alarmDescription: `The standby has less than ${freeGiB} GiB free: replication stops when it is full`,
        threshold: freeGiB * 1024 ** 3,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.MISSING,
      }).alarm,
    ];
  }
}
