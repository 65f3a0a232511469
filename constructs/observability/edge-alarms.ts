import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { WebAcl } from '../edge/web-acl';
import type { WebDistribution } from '../edge/web-distribution';
import { alarmable, alarmFactoryOf } from './alarm-actions';

/** Thresholds of {@link EdgeAlarms}. */
export interface EdgeAlarmThresholds {
  /** CloudFront viewer 5xx rate, in percent. */
  readonly cloudFront5xxPercent: number;
  /** Average origin latency, in milliseconds. */
  readonly originLatencyMs: number;
  /** Requests the web ACL blocks per 5 minutes. */
  readonly wafBlockedPerFiveMinutes: number;
}

/** Properties of {@link EdgeAlarms}. */
export interface EdgeAlarmsProps {
  /** Prefix of every alarm name, e.g. `shop-prod`. */
  readonly alarmNamePrefix: string;
  /** The distribution. */
  readonly distribution: WebDistribution;
  /** The distribution's web ACL. */
  readonly webAcl: WebAcl;
  /**
   * Whether the distribution publishes additional metrics (a monitoring subscription): only then
   * does CloudFront publish `OriginLatency`, and only then is it alarmed on.
   */
  readonly originLatency: boolean;
  /** Thresholds. */
  readonly thresholds: EdgeAlarmThresholds;
  /**
   * Topic every alarm notifies, on ALARM and on OK; it must be in the alarms' region (us-east-1,
   * where CloudFront and CloudFront-scoped WAF publish their metrics).
   *
   * @default - no actions
   */
  readonly notificationTopic?: sns.ITopic;
}

/**
 * Alarms on the edge: CloudFront 5xx rate and origin latency, and a spike of requests the web ACL
 * blocks (an attack, or a rule that started blocking real users). They notify: a regional composite
 * alarm cannot watch them (composite alarms see alarms of their own region only), and the regional
 * service alarms page for the same outage when the origin is at fault.
 */
export class EdgeAlarms extends Construct {
  /** Every alarm. */
  public readonly alarms: readonly cloudwatch.AlarmBase[];

  constructor(scope: Construct, id: string, props: EdgeAlarmsProps) {
    super(scope, id);
    const t = props.thresholds;
    const above = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;
    const factory = alarmFactoryOf(this, props.alarmNamePrefix, 'Edge', {
      notificationTopic: props.notificationTopic,
    });
    const alarms = [
      factory.addAlarm(alarmable(this, props.distribution.metric5xxErrorRate()), {
        alarmNameSuffix: 'CloudFront5xxRate',
        alarmDescription: `More than ${t.cloudFront5xxPercent}% of CloudFront's answers are 5xx`,
        threshold: t.cloudFront5xxPercent,
        comparisonOperator: above,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }).alarm,
      factory.addAlarm(alarmable(this, props.webAcl.metricBlockedRequests()), {
        alarmNameSuffix: 'WafBlockedSpike',
        alarmDescription: `The web ACL blocked more than ${t.wafBlockedPerFiveMinutes} requests in 5 minutes`,
        threshold: t.wafBlockedPerFiveMinutes,
        comparisonOperator: above,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        datapointsToAlarm: 1,
        evaluationPeriods: 1,
      }).alarm,
    ];
    if (props.originLatency) {
      alarms.push(
        factory.addAlarm(alarmable(this, props.distribution.metricOriginLatency()), {
          alarmNameSuffix: 'OriginLatency',
          alarmDescription: `CloudFront's average origin latency above ${t.originLatencyMs} ms`,
          threshold: t.originLatencyMs,
          comparisonOperator: above,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }).alarm,
      );
    }
    this.alarms = alarms;
  }
}
