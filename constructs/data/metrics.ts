import { Annotations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { IConstruct } from 'constructs';
import { ALARM_MAX_EXPRESSION_METRICS, TOO_MANY_MEMBERS_WARNING, splitMetricOptions } from '../shared/metric-options';

/** How a metric published per member (instance, cache node) becomes one time series. */
export type MemberAggregation = 'MAX' | 'SUM';

/**
 * One time series from a metric each member publishes: the member's own metric when there is one
 * member, else a math expression `MAX([...])` or `SUM([...])` over all of them (a member without a
 * data point at some time is left out of that point).
 *
 * `props` are split by `splitMetricOptions` with `alike` members: `statistic`, `unit`, `account`
 * and `region` apply to every member's metric; `label`, `color`, `period` and `visible` to the
 * expression (whose `period` overrides the members', 5 minutes by default, as in
 * `MathExpression`); `dimensionsMap` never applies (the members' dimensions name them). A single
 * member's metric takes them all, and `id`.
 *
 * CloudWatch alarms accept at most 10 metrics in an expression (aws-cdk-lib's `Alarm` throws);
 * graphs accept any number. Over more members the expression is still returned, for graphs, and a
 * warning {@link TOO_MANY_MEMBERS_WARNING} on `scope` says why an alarm on it would fail.
 */
export function acrossMembers<T>(
  scope: IConstruct,
  aggregation: MemberAggregation,
  members: readonly T[],
  metricOf: (member: T, options: cloudwatch.MetricOptions) => cloudwatch.IMetric,
  props: cloudwatch.MetricOptions = {},
  label: string,
): cloudwatch.IMetric {
  if (members.length === 0) {
    throw new Error('acrossMembers needs at least one member');
  }
  const options = splitMetricOptions(props, 'alike', label);
  const [only] = members;
  if (members.length === 1) {
    return metricOf(only as T, options.single);
  }
  if (members.length > ALARM_MAX_EXPRESSION_METRICS) {
    Annotations.of(scope).addWarningV2(
      TOO_MANY_MEMBERS_WARNING,
      `${label} is a math expression over ${members.length} metrics: fine for graphs, but a CloudWatch alarm ` +
        `accepts at most ${ALARM_MAX_EXPRESSION_METRICS} metrics in an expression, so an alarm on it fails; ` +
        'alarm on a smaller group instead',
    );
  }
  return new cloudwatch.MathExpression({
    expression: `${aggregation}([${members.map((_, index) => `m${index + 1}`).join(', ')}])`,
    usingMetrics: Object.fromEntries(
      members.map((member, index) => [`m${index + 1}`, metricOf(member, options.member)]),
    ),
    ...options.expression,
  });
}
