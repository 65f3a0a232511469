import { Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { ALARM_MAX_EXPRESSION_METRICS } from '../shared/metric-options';
import { isWholeNumber, known, problemsOf, throwOnProblems, type Problem, type Rule } from '../shared/problems';
import { actionOf, type AlarmDestinations } from './alarm-actions';

/** What CloudWatch accepts of an alarm, as far as the objective's alarms can break it. */
export const SLO_ALARM_LIMITS = {
  /** Characters of an alarm name (metric and composite alarms share one namespace). */
  alarmNameLength: 255,
  /** Characters of an alarm description. */
  descriptionLength: 1024,
  /**
   * Longest window: each window alarm evaluates one period as long as the window, and
   * `Period x EvaluationPeriods` may not exceed 7 days (1 day for periods under an hour, which a
   * whole number of minutes under an hour always satisfies).
   */
  maxWindow: Duration.days(7),
} as const;

/** Time units a latency metric may be published in. */
const LATENCY_UNIT_SECONDS: ReadonlyMap<cloudwatch.Unit, number> = new Map([
  [cloudwatch.Unit.SECONDS, 1],
  [cloudwatch.Unit.MILLISECONDS, 1e-3],
  [cloudwatch.Unit.MICROSECONDS, 1e-6],
]);

/**
 * `value` without the binary noise of decimal arithmetic (`14.4 * 0.001` is 0.014400000000000001):
 * thresholds and expressions read as the numbers people wrote.
 */
function tidy(value: number): number {
  return Number(value.toPrecision(12));
}

/** `1 h`, `5 min`, `2 d`: a window as people say it. */
function durationText(duration: Duration): string {
  const minutes = duration.toMinutes({ integral: false });
  if (minutes >= 1440 && minutes % 1440 === 0) {
    return `${minutes / 1440} d`;
  }
  if (minutes >= 60 && minutes % 60 === 0) {
    return `${minutes / 60} h`;
  }
  return `${tidy(minutes)} min`;
}

/** A budget period in words: `30 days` and `30-day`, or `36 h` and `36 h`. */
function periodText(period: Duration): { readonly span: string; readonly adjective: string } {
  const days = period.toDays({ integral: false });
  return Number.isInteger(days)
    ? { span: days === 1 ? '1 day' : `${days} days`, adjective: `${days}-day` }
    : { span: durationText(period), adjective: durationText(period) };
}

/** `2.08 days`, `20 h`: how long something lasts, rounded for a description. */
function spanText(seconds: number): string {
  return seconds >= 172_800
    ? `${Number((seconds / 86_400).toPrecision(3))} days`
    : `${Number((seconds / 3600).toPrecision(3))} h`;
}

/** The plain metrics an expression reads, however deeply nested: what CloudWatch's limit counts. */
function plainMetricCount(metric: cloudwatch.IMetric): number {
  const config = metric.toMetricConfig();
  return config.mathExpression === undefined
    ? 1
    : Object.values(config.mathExpression.usingMetrics).reduce((sum, used) => sum + plainMetricCount(used), 0);
}

/** Problems of a count of events below which a window is not judged. */
function minimumEventsProblems(value: number | undefined): Problem[] {
  return value === undefined || isWholeNumber(value, 0)
    ? []
    : [
        {
          path: ['indicator', 'minimumValidEventsPerHour'],
          message: `${value} is not a whole number of events; use 0 (no guard) or more`,
        },
      ];
}

/**
 * What a service level objective measures: the share of bad events among valid ones, as a CloudWatch
 * math expression over any window. Build one with {@link ServiceLevelIndicator.ratio} or
 * {@link ServiceLevelIndicator.latency}, or subclass it for another kind of event.
 */
export abstract class ServiceLevelIndicator {
  /**
   * Bad events over valid events, both counted with `Sum` (e.g. target and load-balancer 5xx over
   * `RequestCount`).
   *
   * The ratio divides by `MAX([bad, valid])`, not by `valid` alone: an Application Load Balancer
   * counts in `RequestCount` only requests for which it could choose a target, so in a total
   * outage its own 5xx answers outnumber the counted requests, or are all there is. Divided by
   * `valid` the ratio would exceed 1 or have no data point (a division by zero drops it) and the
   * outage would not page; divided by the larger of the two it reads 1.
   */
  public static ratio(props: RatioIndicatorProps): ServiceLevelIndicator {
    return new RatioIndicator(props);
  }

  /**
   * The share of requests slower than a threshold, from the percentile-rank statistic of a latency
   * metric that supports percentiles (e.g. an Application Load Balancer's `TargetResponseTime`):
   * `PR(:t)` is the percentage of samples at or below `t`, so the bad-event ratio is
   * `(100 - PR(:t)) / 100`. Requests are counted with the same metric's `SampleCount`.
   */
  public static latency(props: LatencyIndicatorProps): ServiceLevelIndicator {
    return new LatencyIndicator(props);
  }

  /** The bad events in words, after "the share of" in alarm descriptions, e.g. `requests slower than 300 ms`. */
  public abstract readonly badEventDescription: string;

  /**
   * The share of bad events among valid events over `window`, from 0 to 1: a math expression whose
   * period is `window`, alarmable (at most 10 metrics) when the indicator's metrics are. A window
   * without valid events has no data point.
   */
  public abstract metricBadEventRatio(window: Duration): cloudwatch.MathExpression;

  /**
   * What is wrong with the indicator's props; the objective reports them with its own.
   *
   * @internal
   */
  public _problems(): Problem[] {
    return [];
  }
}

/** Properties of {@link ServiceLevelIndicator.ratio}. */
export interface RatioIndicatorProps {
  /** Bad events, counted with `Sum`; a math expression may add several (e.g. target and load-balancer 5xx). */
  readonly badEvents: cloudwatch.IMetric;
  /** Valid events, counted with `Sum` (e.g. `RequestCount`). */
  readonly validEvents: cloudwatch.IMetric;
  /**
   * Fewest events per hour a window needs to be judged, scaled to the window (rounded up): a window
   * with fewer counts as having no bad event, so that one failed request among a handful at night
   * does not page. It also hides a real outage while traffic stays below it: choose it below the
   * traffic of the quietest hour that matters.
   *
   * @default 0 - every window with events is judged
   */
  readonly minimumValidEventsPerHour?: number;
}

/** Properties of {@link ServiceLevelIndicator.latency}. */
export interface LatencyIndicatorProps {
  /**
   * The latency metric, e.g. `loadBalancer.metrics.targetResponseTime()`. Its statistic is replaced
   * (percentile rank and sample count); its period by the window.
   */
  readonly latency: cloudwatch.Metric;
  /** A request slower than this is bad. */
  readonly threshold: Duration;
  /**
   * The unit the metric is published in (`TargetResponseTime`: seconds; Lambda `Duration`:
   * milliseconds), which the percentile-rank bound is written in.
   *
   * @default cloudwatch.Unit.SECONDS
   */
  readonly latencyUnit?: cloudwatch.Unit;
  /**
   * Fewest requests per hour a window needs to be judged, scaled to the window: a window with fewer
   * counts as having no slow request (see {@link RatioIndicatorProps.minimumValidEventsPerHour}).
   *
   * @default 0 - every window with requests is judged
   */
  readonly minimumValidEventsPerHour?: number;
}

/**
 * A window's share of the hourly minimum, rounded up: the same traffic rate decides whether a
 * 5-minute and a 6-hour window are judged (100 an hour: 9 in 5 minutes, 600 in 6 hours).
 */
function minimumFor(window: Duration, perHour = 0): number {
  return Math.ceil((perHour * window.toSeconds()) / 3600);
}

class RatioIndicator extends ServiceLevelIndicator {
  public readonly badEventDescription = 'bad events among valid events';

  constructor(private readonly props: RatioIndicatorProps) {
    super();
  }

  public metricBadEventRatio(window: Duration): cloudwatch.MathExpression {
    const minimum = minimumFor(window, this.props.minimumValidEventsPerHour);
    const events = 'MAX([bad, valid])';
    return new cloudwatch.MathExpression({
      // Arithmetic treats a missing point as 0 (no bad event published: ratio 0); no event at all
      // leaves no point, which the alarms read as not breaching.
      expression: minimum > 0 ? `IF(${events} >= ${minimum}, bad / ${events}, 0)` : `bad / ${events}`,
      usingMetrics: { bad: this.props.badEvents, valid: this.props.validEvents },
      period: window,
      label: `Bad-event ratio (${durationText(window)})`,
    });
  }

  public override _problems(): Problem[] {
    const sums: Problem[] = (['badEvents', 'validEvents'] as const).flatMap((name) => {
      const metric = this.props[name];
      return metric instanceof cloudwatch.Metric && metric.statistic !== cloudwatch.Stats.SUM
        ? [{ path: ['indicator', name], message: `statistic ${metric.statistic} does not count events; use Sum` }]
        : [];
    });
    return [...sums, ...minimumEventsProblems(this.props.minimumValidEventsPerHour)];
  }
}

class LatencyIndicator extends ServiceLevelIndicator {
  public readonly badEventDescription: string;
  private readonly bound: number;

  constructor(private readonly props: LatencyIndicatorProps) {
    super();
    const unitSeconds = LATENCY_UNIT_SECONDS.get(props.latencyUnit ?? cloudwatch.Unit.SECONDS) ?? Number.NaN;
    this.bound = tidy(props.threshold.toMilliseconds({ integral: false }) / 1000 / unitSeconds);
    this.badEventDescription = `requests slower than ${tidy(props.threshold.toMilliseconds({ integral: false }))} ms`;
  }

  /** `PR(:0.3)`: the percentage of requests at or below the threshold, in the metric's unit. */
  public get percentileRankStatistic(): string {
    return cloudwatch.Stats.percentileRank(this.bound);
  }

  public metricBadEventRatio(window: Duration): cloudwatch.MathExpression {
    const minimum = minimumFor(window, this.props.minimumValidEventsPerHour);
    const slow = '(100 - fast) / 100';
    return new cloudwatch.MathExpression({
      expression: minimum > 0 ? `IF(requests >= ${minimum}, ${slow}, 0)` : slow,
      usingMetrics: {
        fast: this.props.latency.with({ statistic: this.percentileRankStatistic }),
        requests: this.props.latency.with({ statistic: cloudwatch.Stats.SAMPLE_COUNT }),
      },
      period: window,
      label: `Share of ${this.badEventDescription} (${durationText(window)})`,
    });
  }

  public override _problems(): Problem[] {
    const unit = this.props.latencyUnit ?? cloudwatch.Unit.SECONDS;
    const problems: Problem[] = [];
    if (!LATENCY_UNIT_SECONDS.has(unit)) {
      problems.push({
        path: ['indicator', 'latencyUnit'],
        message: `${unit} is not a unit of time a latency is published in; use Seconds, Milliseconds or Microseconds`,
      });
    } else if (!(this.bound > 0)) {
      problems.push({
        path: ['indicator', 'threshold'],
        message: `${this.props.threshold.toHumanString()} is no latency; use a positive duration`,
      });
    }
    return [...problems, ...minimumEventsProblems(this.props.minimumValidEventsPerHour)];
  }
}

/** Properties of a {@link ServiceLevelObjective}. */
export interface ServiceLevelObjectiveProps extends AlarmDestinations {
  /** Prefix of every alarm name, e.g. `shop-prod`. */
  readonly alarmNamePrefix: string;
  /** The objective's name in its alarms' names, `<prefix>-<objectiveName>-FastBurn`, e.g. `Availability`. */
  readonly objectiveName: string;
  /** What is measured. */
  readonly indicator: ServiceLevelIndicator;
  /** The share of good events promised, in percent, e.g. 99.9; its complement is the error budget. */
  readonly objectivePercent: number;
  /**
   * The period the error budget is spent over; only the alarm descriptions use it.
   *
   * @default Duration.days(30)
   */
  readonly errorBudgetPeriod?: Duration;
  /**
   * The burn rate that pages, in multiples of the rate that spends the error budget exactly over
   * its period: the composite `FastBurn` alarm, ALARM while both fast-burn windows burn faster,
   * pages `pagingTopic`.
   *
   * @default 14.4 - 2 % of a 30-day budget in an hour (Google SRE workbook)
   */
  readonly fastBurnRate?: number;
  /**
   * The fast-burn window that makes the burn significant (a whole number of minutes, at most 7 days).
   *
   * @default Duration.hours(1)
   */
  readonly fastBurnLongWindow?: Duration;
  /**
   * The fast-burn window that confirms the burn is still going on, and lets the page reset soon
   * after it stops (shorter than the long window).
   *
   * @default Duration.minutes(5)
   */
  readonly fastBurnShortWindow?: Duration;
  /**
   * The burn rate that notifies: the composite `SlowBurn` alarm notifies `notificationTopic`.
   *
   * @default 6 - 5 % of a 30-day budget in 6 hours (Google SRE workbook)
   */
  readonly slowBurnRate?: number;
  /**
   * The slow-burn window that makes the burn significant.
   *
   * @default Duration.hours(6)
   */
  readonly slowBurnLongWindow?: Duration;
  /**
   * The slow-burn window that confirms the burn is still going on.
   *
   * @default Duration.minutes(30)
   */
  readonly slowBurnShortWindow?: Duration;
}

/** One burn rate the objective alarms on: its rate, and the two windows that must both see it. */
interface Burn {
  readonly burnRate: number;
  readonly longWindow: Duration;
  readonly shortWindow: Duration;
}

/** Letters, digits and hyphens, starting with a letter or digit: safe in every alarm name and ARN. */
const NAME_PART_PATTERN = /^[A-Za-z0-9][A-Za-z0-9-]*$/;

/** The longest alarm-name suffix the objective appends to `<prefix>-<objectiveName>`. */
const LONGEST_SUFFIX = '-SlowBurnShort';

/** What the objective's rules read, defaults applied. */
interface ObjectiveRuleInput {
  readonly alarmNamePrefix: string;
  readonly objectiveName: string;
  readonly objectivePercent: number;
  readonly errorBudgetPeriod: Duration;
  readonly fastBurnRate: number;
  readonly fastBurnLongWindow: Duration;
  readonly fastBurnShortWindow: Duration;
  readonly slowBurnRate: number;
  readonly slowBurnLongWindow: Duration;
  readonly slowBurnShortWindow: Duration;
}

type BurnName = 'fastBurn' | 'slowBurn';
type WindowField = `${BurnName}${'Long' | 'Short'}Window`;

/** The error budget as a ratio, or `undefined` when the objective is not a percentage below 100. */
function budgetOf(objectivePercent: number): number | undefined {
  return Number.isFinite(objectivePercent) && objectivePercent > 0 && objectivePercent < 100
    ? tidy((100 - objectivePercent) / 100)
    : undefined;
}

function windowRules(field: WindowField): Array<Rule<ObjectiveRuleInput>> {
  const seconds = (input: ObjectiveRuleInput) => input[field].toSeconds({ integral: false });
  return [
    {
      path: [field],
      broken: (input) => !(seconds(input) >= 60 && seconds(input) % 60 === 0),
      message: (input) =>
        `${input[field].toHumanString()} is not a whole number of minutes; CloudWatch alarm periods are whole minutes (10, 20 and 30 s only for high-resolution metrics, which load balancers do not publish)`,
    },
    {
      path: [field],
      broken: (input) => seconds(input) > SLO_ALARM_LIMITS.maxWindow.toSeconds(),
      message: (input) =>
        `${input[field].toHumanString()} is longer than an alarm can evaluate (period x evaluation periods at most 7 days); use a window of at most 7 days`,
    },
  ];
}

function burnRules(burn: BurnName): Array<Rule<ObjectiveRuleInput>> {
  const rateField = `${burn}Rate` as const;
  const longField = `${burn}LongWindow` as const;
  const shortField = `${burn}ShortWindow` as const;
  const rate = (input: ObjectiveRuleInput) => input[rateField];
  return [
    {
      path: [rateField],
      broken: (input) => !(Number.isFinite(rate(input)) && rate(input) > 0),
      message: (input) => `${rate(input)} is no burn rate; use a positive number (1 spends the budget exactly)`,
    },
    {
      // The bad-event ratio never exceeds 1: a threshold at or above it never breaches.
      path: [rateField],
      broken: (input) => {
        const budget = budgetOf(input.objectivePercent);
        return budget !== undefined && rate(input) > 0 && tidy(rate(input) * budget) >= 1;
      },
      message: (input) => {
        const budget = budgetOf(input.objectivePercent) ?? 1;
        return `${rate(input)} x an error budget of ${tidy(budget * 100)} % is ${tidy(rate(input) * budget * 100)} % of events, a share no window can exceed; use a burn rate below ${tidy(1 / budget)}`;
      },
    },
    ...windowRules(longField),
    ...windowRules(shortField),
    {
      path: [shortField],
      broken: (input) =>
        input[shortField].toSeconds({ integral: false }) >= input[longField].toSeconds({ integral: false }),
      message: (input) =>
        `${input[shortField].toHumanString()} is not shorter than ${longField} (${input[longField].toHumanString()}); the short window confirms a burn is still going on, typically a twelfth of the long one`,
    },
  ];
}

const RULES: ReadonlyArray<Rule<ObjectiveRuleInput>> = [
  {
    path: ['objectivePercent'],
    broken: ({ objectivePercent }) => budgetOf(objectivePercent) === undefined,
    message: ({ objectivePercent }) =>
      `${objectivePercent} is not a percentage strictly between 0 and 100; use e.g. 99.9 for 99.9 % good events`,
  },
  {
    path: ['objectiveName'],
    broken: ({ objectiveName }) => known(objectiveName) && !NAME_PART_PATTERN.test(objectiveName),
    message: ({ objectiveName }) =>
      `"${objectiveName}" must be letters, digits and hyphens, starting with a letter or digit (it is part of alarm names)`,
  },
  {
    path: ['alarmNamePrefix'],
    broken: ({ alarmNamePrefix }) => known(alarmNamePrefix) && !NAME_PART_PATTERN.test(alarmNamePrefix),
    message: ({ alarmNamePrefix }) =>
      `"${alarmNamePrefix}" must be letters, digits and hyphens, starting with a letter or digit (it is part of alarm names)`,
  },
  {
    path: ['objectiveName'],
    broken: ({ alarmNamePrefix, objectiveName }) =>
      known(alarmNamePrefix, objectiveName) &&
      `${alarmNamePrefix}-${objectiveName}${LONGEST_SUFFIX}`.length > SLO_ALARM_LIMITS.alarmNameLength,
    message: ({ alarmNamePrefix, objectiveName }) =>
      `alarm names such as "${alarmNamePrefix}-${objectiveName}${LONGEST_SUFFIX}" would be longer than ${SLO_ALARM_LIMITS.alarmNameLength} characters; shorten the prefix or the name`,
  },
  ...burnRules('fastBurn'),
  ...burnRules('slowBurn'),
  {
    path: ['errorBudgetPeriod'],
    broken: ({ errorBudgetPeriod, fastBurnLongWindow, slowBurnLongWindow }) =>
      [fastBurnLongWindow, slowBurnLongWindow].some(
        (window) => window.toSeconds({ integral: false }) > errorBudgetPeriod.toSeconds({ integral: false }),
      ),
    message: ({ errorBudgetPeriod }) =>
      `${errorBudgetPeriod.toHumanString()} is shorter than a long window; the budget period is usually 28 or 30 days`,
  },
];

/**
 * An alarm-based service level objective with multi-window, multi-burn-rate alarms on its error
 * budget (Google SRE workbook, "Alerting on SLOs", approach 6), built from CloudWatch math over an
 * indicator's metrics rather than Application Signals, which needs an account-level discovery
 * resource and its own log group.
 *
 * For each burn rate, two metric alarms compare the indicator's bad-event ratio over one period as
 * long as the window with `burnRate x (1 - objective)`; they have no actions and treat missing data
 * (no traffic) as not breaching. A composite alarm is in ALARM while both are:
 *
 * - `<prefix>-<objectiveName>-FastBurn` (long and short fast-burn windows) pages `pagingTopic`;
 * - `<prefix>-<objectiveName>-SlowBurn` notifies `notificationTopic`;
 *
 * both on ALARM and on OK; without the topic a composite has no actions and actions disabled. The
 * window alarms are named `...-FastBurnLong`, `...-FastBurnShort`, `...-SlowBurnLong` and
 * `...-SlowBurnShort`: tuning a window updates an alarm in place and keeps its history.
 */
export class ServiceLevelObjective extends Construct {
  /** The objective, in percent. */
  public readonly objectivePercent: number;
  /** The error budget as a ratio of events, e.g. 0.001 for 99.9 %. */
  public readonly errorBudgetRatio: number;
  /** The composite alarm that pages: fast burn over both windows. */
  public readonly fastBurnAlarm: cloudwatch.CompositeAlarm;
  /** The composite alarm that notifies: slow burn over both windows. */
  public readonly slowBurnAlarm: cloudwatch.CompositeAlarm;
  /** Fast burn over the long window (no actions). */
  public readonly fastBurnLongWindowAlarm: cloudwatch.Alarm;
  /** Fast burn over the short window (no actions). */
  public readonly fastBurnShortWindowAlarm: cloudwatch.Alarm;
  /** Slow burn over the long window (no actions). */
  public readonly slowBurnLongWindowAlarm: cloudwatch.Alarm;
  /** Slow burn over the short window (no actions). */
  public readonly slowBurnShortWindowAlarm: cloudwatch.Alarm;

  private readonly indicator: ServiceLevelIndicator;

  constructor(scope: Construct, id: string, props: ServiceLevelObjectiveProps) {
    super(scope, id);
    const input: ObjectiveRuleInput = {
      alarmNamePrefix: props.alarmNamePrefix,
      objectiveName: props.objectiveName,
      objectivePercent: props.objectivePercent,
      errorBudgetPeriod: props.errorBudgetPeriod ?? Duration.days(30),
      fastBurnRate: props.fastBurnRate ?? 14.4,
      fastBurnLongWindow: props.fastBurnLongWindow ?? Duration.hours(1),
      fastBurnShortWindow: props.fastBurnShortWindow ?? Duration.minutes(5),
      slowBurnRate: props.slowBurnRate ?? 6,
      slowBurnLongWindow: props.slowBurnLongWindow ?? Duration.hours(6),
      slowBurnShortWindow: props.slowBurnShortWindow ?? Duration.minutes(30),
    };
    const problems = [...problemsOf(input, RULES), ...props.indicator._problems()];
    const windowsValid = !problems.some((p) => /Window$/.test(String(p.path[0])));
    if (windowsValid) {
      // Counted on a valid window: an expression only exists for one.
      const metrics = plainMetricCount(props.indicator.metricBadEventRatio(input.fastBurnLongWindow));
      if (metrics > ALARM_MAX_EXPRESSION_METRICS) {
        problems.push({
          path: ['indicator'],
          message: `its bad-event ratio reads ${metrics} metrics; an alarm on a math expression reads at most ${ALARM_MAX_EXPRESSION_METRICS}`,
        });
      }
    }
    throwOnProblems(this, problems);

    this.indicator = props.indicator;
    this.objectivePercent = props.objectivePercent;
    this.errorBudgetRatio = budgetOf(props.objectivePercent) ?? Number.NaN;

    const name = `${props.alarmNamePrefix}-${props.objectiveName}`;
    const fast = this.burnAlarms(
      'FastBurn',
      name,
      {
        burnRate: input.fastBurnRate,
        longWindow: input.fastBurnLongWindow,
        shortWindow: input.fastBurnShortWindow,
      },
      input.errorBudgetPeriod,
    );
    const slow = this.burnAlarms(
      'SlowBurn',
      name,
      {
        burnRate: input.slowBurnRate,
        longWindow: input.slowBurnLongWindow,
        shortWindow: input.slowBurnShortWindow,
      },
      input.errorBudgetPeriod,
    );
    this.fastBurnLongWindowAlarm = fast.long;
    this.fastBurnShortWindowAlarm = fast.short;
    this.slowBurnLongWindowAlarm = slow.long;
    this.slowBurnShortWindowAlarm = slow.short;

    const period = periodText(input.errorBudgetPeriod);
    const objective = `${props.objectiveName} SLO (${props.objectivePercent} % good over ${period.span})`;
    const facts = (burn: BurnText) =>
      `The ${objective} burns its error budget ${burn.rate}x too fast: ${burn.consumed} % of the ${period.adjective} budget gone in ${burn.long}, all of it in ${burn.exhaustion} at this rate. ` +
      `Over both the last ${burn.long} and the last ${burn.short}, the share of ${this.indicator.badEventDescription} was above ${burn.thresholdPercent} %. `;
    this.fastBurnAlarm = this.composite(
      'FastBurn',
      name,
      fast,
      props.pagingTopic,
      (burn) =>
        `PAGE. ${facts(burn)}` +
        'Act now: check recent deployments, configuration changes and dependencies; roll back or mitigate first, investigate after. The window alarms show since when, the component alarms where.',
    );
    this.slowBurnAlarm = this.composite(
      'SlowBurn',
      name,
      slow,
      props.notificationTopic,
      (burn) =>
        facts(burn) +
        'Not a page: find and fix the cause within working hours (a degraded dependency, a slow endpoint, a bad release) before it becomes one.',
    );
  }

  /**
   * How many times faster than the objective allows the error budget burns over `window`: the
   * bad-event ratio divided by the error budget (1 spends it exactly over the budget period). For
   * dashboards; `window` is the expression's period.
   */
  public metricErrorBudgetBurnRate(window: Duration): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({
      expression: `ratio / ${this.errorBudgetRatio}`,
      usingMetrics: { ratio: this.indicator.metricBadEventRatio(window) },
      period: window,
      label: `Error budget burn rate (${durationText(window)})`,
    });
  }

  /**
   * The share of good events over `window`, in percent, to compare with {@link objectivePercent}.
   * Windows below the indicator's minimum of valid events read 100.
   */
  public metricCompliancePercent(window: Duration): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({
      expression: '100 * (1 - ratio)',
      usingMetrics: { ratio: this.indicator.metricBadEventRatio(window) },
      period: window,
      label: `Good events (%, ${durationText(window)})`,
    });
  }

  private burnAlarms(group: 'FastBurn' | 'SlowBurn', name: string, burn: Burn, budgetPeriod: Duration): BurnAlarms {
    const threshold = tidy(burn.burnRate * this.errorBudgetRatio);
    const composite = `${name}-${group}`;
    const windowAlarm = (kind: 'Long' | 'Short', window: Duration) =>
      new cloudwatch.Alarm(this, `${group}${kind}`, {
        alarmName: `${composite}${kind}`,
        alarmDescription:
          `Bad-event ratio over ${durationText(window)} above ${tidy(threshold * 100)} % (${burn.burnRate}x the error-budget rate). ` +
          `No actions: it only feeds the composite alarm ${composite}.`,
        metric: this.indicator.metricBadEventRatio(window),
        threshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        // One period as long as the window: the sliding evaluation window makes it a rolling window.
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
        // No traffic, no bad events: not a burn.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        actionsEnabled: false,
      });
    const long = windowAlarm('Long', burn.longWindow);
    const short = windowAlarm('Short', burn.shortWindow);
    const budgetSeconds = budgetPeriod.toSeconds({ integral: false });
    return {
      long,
      short,
      text: {
        rate: burn.burnRate,
        long: durationText(burn.longWindow),
        short: durationText(burn.shortWindow),
        thresholdPercent: tidy(threshold * 100),
        consumed: Number(
          (((burn.burnRate * burn.longWindow.toSeconds({ integral: false })) / budgetSeconds) * 100).toPrecision(3),
        ),
        exhaustion: spanText(budgetSeconds / burn.burnRate),
      },
    };
  }

  private composite(
    id: 'FastBurn' | 'SlowBurn',
    name: string,
    alarms: BurnAlarms,
    topic: AlarmDestinations['pagingTopic'],
    describe: (text: BurnText) => string,
  ): cloudwatch.CompositeAlarm {
    const description = describe(alarms.text);
    if (!Token.isUnresolved(description) && description.length > SLO_ALARM_LIMITS.descriptionLength) {
      throwOnProblems(this, [
        {
          path: ['indicator'],
          message: `the ${id} description would be ${description.length} characters, more than ${SLO_ALARM_LIMITS.descriptionLength}; shorten the indicator's badEventDescription or the objective name`,
        },
      ]);
    }
    const alarm = new cloudwatch.CompositeAlarm(this, id, {
      compositeAlarmName: `${name}-${id}`,
      alarmDescription: description,
      alarmRule: cloudwatch.AlarmRule.allOf(
        cloudwatch.AlarmRule.fromAlarm(alarms.long, cloudwatch.AlarmState.ALARM),
        cloudwatch.AlarmRule.fromAlarm(alarms.short, cloudwatch.AlarmState.ALARM),
      ),
      actionsEnabled: topic !== undefined,
    });
    const action = actionOf(topic);
    action.addAlarmActions({ alarm, action });
    return alarm;
  }
}

/** The numbers a burn's descriptions quote. */
interface BurnText {
  readonly rate: number;
  readonly long: string;
  readonly short: string;
  readonly thresholdPercent: number;
  /** Percent of the budget spent over the long window at the burn rate. */
  readonly consumed: number;
  /** How long the whole budget lasts at the burn rate. */
  readonly exhaustion: string;
}

interface BurnAlarms {
  readonly long: cloudwatch.Alarm;
  readonly short: cloudwatch.Alarm;
  readonly text: BurnText;
}
