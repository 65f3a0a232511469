import type { Stack } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/**
 * A plain metric as CloudWatch sees it, tokens resolved; fails on a math expression. With
 * `withRegion`, also the region the metric is read in (cross-region metrics such as CloudFront's).
 */
export function metricStat(stack: Stack, metric: cloudwatch.IMetric, options: { withRegion?: boolean } = {}) {
  const config = metric.toMetricConfig().metricStat;
  if (config === undefined) {
    throw new Error('not a plain metric');
  }
  return {
    namespace: config.namespace,
    metricName: config.metricName,
    statistic: config.statistic,
    period: config.period.toSeconds(),
    ...(options.withRegion === true ? { region: config.region } : {}),
    dimensions: Object.fromEntries(
      (stack.resolve(config.dimensions ?? []) as cloudwatch.Dimension[]).map((d) => [d.name, d.value]),
    ),
  };
}

/** A math expression and the plain metrics it uses by id, tokens resolved; fails on a plain metric. */
export function metricExpression(stack: Stack, metric: cloudwatch.IMetric) {
  const config = metric.toMetricConfig();
  if (config.mathExpression === undefined) {
    throw new Error('not a math expression');
  }
  return {
    expression: config.mathExpression.expression,
    label: config.renderingProperties?.label,
    period: config.mathExpression.period,
    using: Object.fromEntries(
      Object.entries(config.mathExpression.usingMetrics).map(([id, used]) => [id, metricStat(stack, used)]),
    ),
  };
}
