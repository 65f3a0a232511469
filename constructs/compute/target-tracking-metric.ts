import type * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/** One entry of a target-tracking policy's `customizedMetricSpecification.metrics`. */
export type TargetTrackingMetricQuery = appscaling.CfnScalingPolicy.TargetTrackingMetricDataQueryProperty;

/**
 * The `customizedMetricSpecification.metrics` of a target-tracking scaling policy that tracks
 * `metric`, a math expression over plain metrics: one query per metric, under its `usingMetrics`
 * id, and the expression itself under `expressionId`, the only one returned.
 *
 * aws-cdk-lib's `ScalableTarget.scaleToTrackMetric` takes single metrics only; this lets the L1
 * policy track the same `IMetric` an alarm or dashboard uses. Periods are left out (target tracking
 * sets its own), and so are accounts and regions (the policy reads the scalable target's).
 *
 * @throws when `metric` is not a math expression over plain metrics, or names another account or region
 */
export function targetTrackingMetricQueries(
  metric: cloudwatch.IMetric,
  expressionId: string,
): TargetTrackingMetricQuery[] {
  const config = metric.toMetricConfig();
  const expression = config.mathExpression;
  if (expression === undefined) {
    throw new Error(
      'targetTrackingMetricQueries takes a math expression; track a single metric with scaleToTrackMetric',
    );
  }
  const queries = Object.entries(expression.usingMetrics).map(([id, used]): TargetTrackingMetricQuery => {
    const stat = used.toMetricConfig().metricStat;
    if (stat === undefined) {
      throw new Error(`"${id}" is not a plain metric; target tracking cannot nest expressions`);
    }
    if (stat.accountOverride !== undefined || stat.regionOverride !== undefined) {
      throw new Error(`"${id}" names an account or region; target tracking reads the scalable target's own`);
    }
    return {
      id,
      returnData: false,
      metricStat: {
        stat: stat.statistic,
        unit: stat.unitFilter,
        metric: {
          namespace: stat.namespace,
          metricName: stat.metricName,
          dimensions: stat.dimensions?.map(({ name, value }) => ({ name, value: value as string })),
        },
      },
    };
  });
  const label = config.renderingProperties?.label;
  return [
    ...queries,
    {
      id: expressionId,
      expression: expression.expression,
      label: typeof label === 'string' ? label : undefined,
      returnData: true,
    },
  ];
}
