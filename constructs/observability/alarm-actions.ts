import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sns from 'aws-cdk-lib/aws-sns';
import {
  AlarmFactory,
  SnsAlarmActionStrategy,
  noopAction,
  type IAlarmActionStrategy,
  type MetricWithAlarmSupport,
} from 'cdk-monitoring-constructs';
import type { Construct } from 'constructs';
import { ValidationError } from '../shared/errors';

/**
 * Where alarms send their state changes. Without a topic alarms still record their states in
 * CloudWatch, but nothing is sent and `ActionsEnabled` is false: a quiet environment.
 */
export interface AlarmDestinations {
  /**
   * Topic of the alarms that notify: every component alarm, on ALARM and on OK.
   *
   * @default - no actions
   */
  readonly notificationTopic?: sns.ITopic;
  /**
   * Topic of the alarms that page: the composite alarms over user-facing signals, on ALARM and on OK.
   *
   * @default - no actions
   */
  readonly pagingTopic?: sns.ITopic;
}

/** The alarm and OK actions of one topic, or none. */
export function actionOf(topic?: sns.ITopic): IAlarmActionStrategy {
  return topic === undefined ? noopAction() : new SnsAlarmActionStrategy({ onAlarmTopic: topic, onOkTopic: topic });
}

/**
 * An alarm factory of `cdk-monitoring-constructs` naming alarms `<prefix>-<group>-<suffix>`, with
 * the notification topic as every alarm's action (alarm and OK) and actions enabled only when there
 * is a topic.
 */
export function alarmFactoryOf(
  scope: Construct,
  alarmNamePrefix: string,
  group: string,
  destinations: AlarmDestinations,
): AlarmFactory {
  return new AlarmFactory(scope, {
    globalAlarmDefaults: {
      alarmNamePrefix,
      actionsEnabled: destinations.notificationTopic !== undefined,
      action: actionOf(destinations.notificationTopic),
      // Three five-minute periods in a row: a blip does not wake anybody.
      datapointsToAlarm: 3,
      evaluationPeriods: 3,
    },
    globalMetricDefaults: {},
    localAlarmNamePrefix: group,
  });
}

/** The metric as the alarm factory takes it: a metric or a math expression. */
export function alarmable(scope: Construct, metric: cloudwatch.IMetric): MetricWithAlarmSupport {
  if (metric instanceof cloudwatch.Metric || metric instanceof cloudwatch.MathExpression) return metric;
  throw new ValidationError(scope, `cannot alarm on ${metric.toString()}: neither a Metric nor a MathExpression`);
}

/**
 * An anomaly-detection alarm (CloudWatch's band model), with the same actions as the factory's
 * alarms. Written with aws-cdk-lib's `AnomalyDetectionAlarm`: the factory's anomaly helper needs
 * metrics built by its own metric factory.
 */
export function anomalyAlarm(
  scope: Construct,
  id: string,
  props: {
    readonly alarmName: string;
    readonly alarmDescription: string;
    readonly metric: cloudwatch.IMetric;
    readonly standardDeviations: number;
    readonly comparisonOperator: cloudwatch.ComparisonOperator;
    readonly notificationTopic?: sns.ITopic;
  },
): cloudwatch.Alarm {
  const alarm = new cloudwatch.AnomalyDetectionAlarm(scope, id, {
    alarmName: props.alarmName,
    alarmDescription: props.alarmDescription,
    metric: props.metric,
    stdDevs: props.standardDeviations,
    comparisonOperator: props.comparisonOperator,
    evaluationPeriods: 3,
    datapointsToAlarm: 3,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    actionsEnabled: props.notificationTopic !== undefined,
  });
  const action = actionOf(props.notificationTopic);
  action.addAlarmActions({ alarm, action });
  return alarm;
}
