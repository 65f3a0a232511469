import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/** The most metrics a CloudWatch alarm accepts in a math expression; graphs accept any number. */
export const ALARM_MAX_EXPRESSION_METRICS = 10;

/**
 * Id of the construct warning a metric method adds when it returns a math expression over more
 * metrics than an alarm accepts (e.g. a cache metric over more than 10 nodes). Acknowledge it with
 * `Annotations.of(construct).acknowledgeWarning(TOO_MANY_MEMBERS_WARNING)` where the metric only
 * feeds graphs.
 */
export const TOO_MANY_MEMBERS_WARNING = '@constructs/shared:metricTooManyMembers';

/**
 * How the metrics a math expression combines relate to each other, which decides what of the
 * caller's options they take:
 *
 * - `alike`: one metric of several resources (the nodes of a cache, the blue and green target
 *   groups). The caller's `statistic` and `unit` measure each of them, as they would the one metric
 *   of a single resource.
 * - `unlike`: different metrics (the two sides of a ratio). The method sets each one's `statistic`
 *   and `unit`; the caller's do not apply.
 */
export type ExpressionMembers = 'alike' | 'unlike';

/**
 * A metric method's `props` (`cloudwatch.MetricOptions`) split between the metrics a math
 * expression combines and the expression itself.
 *
 * Every method that returns an expression splits them the same way:
 *
 * | Option | Goes to |
 * | --- | --- |
 * | `account`, `region`, `stackAccount`, `stackRegion` | every member metric |
 * | `statistic`, `unit` | every member metric if `alike`; else nowhere (the method sets them) |
 * | `label`, `color`, `period`, `visible` | the expression (its `period` overrides the members') |
 * | `id` | nowhere: a math expression has none |
 * | `dimensionsMap` | nowhere: the method names each member's dimensions |
 */
export interface SplitMetricOptions {
  /**
   * For each metric the expression combines. Holds only options the caller set, so a method's own
   * default statistic stays unless the caller overrides it: spread it after the defaults.
   */
  readonly member: cloudwatch.MetricOptions;
  /** For the expression: the caller's `label`, else the method's. */
  readonly expression: cloudwatch.MathExpressionOptions;
  /**
   * For a method that returns its one `alike` member's own metric instead of an expression (a
   * single node, a single target group): what `member` and `expression` would carry, but with the
   * caller's `label` only (a plain metric is named by its metric name) and the caller's `id`. Only
   * options the caller set.
   */
  readonly single: cloudwatch.MetricOptions;
}

/**
 * Splits a metric method's `props` between the metrics a math expression combines and the
 * expression, by the rules of {@link SplitMetricOptions}.
 *
 * @param props the caller's options.
 * @param members whether the expression combines one metric of several resources or different metrics.
 * @param label the expression's label unless the caller gives one.
 */
export function splitMetricOptions(
  props: cloudwatch.MetricOptions | undefined,
  members: ExpressionMembers,
  label: string,
): SplitMetricOptions {
  const { account, region, stackAccount, stackRegion, statistic, unit, color, period, visible, id } = props ?? {};
  const member = definedOnly({
    account,
    region,
    stackAccount,
    stackRegion,
    ...(members === 'alike' ? { statistic, unit } : {}),
  });
  return {
    member,
    expression: definedOnly({ label: props?.label ?? label, color, period, visible }),
    single: definedOnly({ ...member, label: props?.label, color, period, visible, id }),
  };
}

/** `options` without the keys whose value is `undefined`, so that spreading them overrides nothing. */
function definedOnly<T extends object>(options: T): T {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as T;
}
