import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/** How a metric published per member (instance, cache node) becomes one time series. */
export type MemberAggregation = 'MAX' | 'SUM';

/**
 * One time series from a metric each member publishes: the member's own metric when there is one
 * member, else a math expression `MAX([...])` or `SUM([...])` over all of them (a member without a
 * data point at some time is left out of that point).
 *
 * `props` follow `cloudwatch.MetricOptions`: `statistic` and `unit` apply to every member's metric;
 * `label`, `color`, `period` and `visible` to the expression (whose `period` overrides the members',
 * 5 minutes by default, as in `MathExpression`).
 *
 * CloudWatch alarms accept at most 10 metrics in an expression; graphs accept any number.
 */
export function acrossMembers<T>(
  aggregation: MemberAggregation,
  members: readonly T[],
  metricOf: (member: T, options: cloudwatch.MetricOptions) => cloudwatch.IMetric,
  props: cloudwatch.MetricOptions = {},
  label: string,
): cloudwatch.IMetric {
  if (members.length === 0) {
    throw new Error('acrossMembers needs at least one member');
  }
  const [only] = members;
  if (members.length === 1) {
    return metricOf(only as T, props);
  }
  const { label: ownLabel, color, period, visible, ...memberProps } = props;
  // `id` names one series of a graph: it cannot go on every member.
  const memberOptions: cloudwatch.MetricOptions = { ...memberProps, id: undefined };
  return new cloudwatch.MathExpression({
    expression: `${aggregation}([${members.map((_, index) => `m${index + 1}`).join(', ')}])`,
    usingMetrics: Object.fromEntries(
      members.map((member, index) => [`m${index + 1}`, metricOf(member, memberOptions)]),
    ),
    label: ownLabel ?? label,
    color,
    period,
    visible,
  });
}
