import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  ServiceLevelIndicator,
  ServiceLevelObjective,
  type ServiceLevelObjectiveProps,
} from '../../constructs/observability/service-level-objective';
import { metricExpression } from '../support/metrics';
import { testStack, thrown, type TestStack } from '../support/test-stack';

const LOAD_BALANCER = { LoadBalancer: 'app/shop-prod/0123456789abcdef' };

function albMetric(metricName: string, statistic = 'Sum'): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/ApplicationELB',
    metricName,
    statistic,
    dimensionsMap: LOAD_BALANCER,
  });
}

/** Target and load-balancer 5xx over the requests: the project's availability indicator. */
function availability(minimumValidEventsPerHour?: number): ServiceLevelIndicator {
  return ServiceLevelIndicator.ratio({
    badEvents: new cloudwatch.MathExpression({
      expression: 'target + elb',
      usingMetrics: { target: albMetric('HTTPCode_Target_5XX_Count'), elb: albMetric('HTTPCode_ELB_5XX_Count') },
    }),
    validEvents: albMetric('RequestCount'),
    minimumValidEventsPerHour,
  });
}

interface BuildOptions {
  readonly topics?: boolean;
  readonly stack?: TestStack;
}

function build(overrides: Partial<ServiceLevelObjectiveProps> = {}, options: BuildOptions = {}) {
  const stack = options.stack ?? testStack();
  const notifications = new sns.Topic(stack, 'Notifications');
  const paging = new sns.Topic(stack, 'Paging');
  const slo = new ServiceLevelObjective(stack, 'Slo', {
    alarmNamePrefix: 'shop-prod',
    objectiveName: 'Availability',
    objectivePercent: 99.9,
    indicator: availability(20),
    ...(options.topics === true && { notificationTopic: notifications, pagingTopic: paging }),
    ...overrides,
  });
  const template = Template.fromStack(stack);
  const ref = (topic: sns.Topic) => ({ Ref: stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic) });
  const byName = (type: 'AWS::CloudWatch::Alarm' | 'AWS::CloudWatch::CompositeAlarm') =>
    Object.fromEntries(
      Object.entries(template.findResources(type)).map(([id, resource]) => {
        const properties = resource.Properties as Record<string, unknown>;
        return [properties.AlarmName as string, { id, ...properties }];
      }),
    ) as Record<string, Record<string, unknown> & { id: string }>;
  return {
    stack,
    slo,
    template,
    alarms: byName('AWS::CloudWatch::Alarm'),
    composites: byName('AWS::CloudWatch::CompositeAlarm'),
    notifications: ref(notifications),
    paging: ref(paging),
  };
}

interface MetricQuery {
  Id: string;
  Expression?: string;
  ReturnData?: boolean;
  MetricStat?: { Metric: { MetricName: string; Dimensions: unknown }; Period: number; Stat: string };
}

const queries = (alarm: Record<string, unknown>) => alarm.Metrics as MetricQuery[];
const returned = (alarm: Record<string, unknown>) => queries(alarm).find((q) => q.ReturnData !== false);
const metricStats = (alarm: Record<string, unknown>) =>
  Object.fromEntries(
    queries(alarm)
      .filter((q) => q.MetricStat !== undefined)
      .map((q) => [q.Id, `${q.MetricStat?.Metric.MetricName} ${q.MetricStat?.Stat} ${q.MetricStat?.Period}`]),
  );

const NAMES = ['FastBurnLong', 'FastBurnShort', 'SlowBurnLong', 'SlowBurnShort'].map(
  (s) => `shop-prod-Availability-${s}`,
);

describe('ServiceLevelObjective', () => {
  test('four window alarms and two composites, named <prefix>-<objective>-<suffix>', () => {
    const { alarms, composites, slo } = build();
    expect(Object.keys(alarms).sort()).toEqual([...NAMES].sort());
    expect(Object.keys(composites).sort()).toEqual([
      'shop-prod-Availability-FastBurn',
      'shop-prod-Availability-SlowBurn',
    ]);
    expect(slo.fastBurnAlarm).toBeInstanceOf(cloudwatch.CompositeAlarm);
    expect(slo.errorBudgetRatio).toBe(0.001);
  });

  test('for 99.9 %, thresholds are burn rate x budget: fast 1.44 % (14.4x), slow 0.6 % (6x)', () => {
    const { alarms } = build();
    expect(Object.fromEntries(NAMES.map((name) => [name, alarms[name]?.Threshold]))).toEqual({
      'shop-prod-Availability-FastBurnLong': 0.0144,
      'shop-prod-Availability-FastBurnShort': 0.0144,
      'shop-prod-Availability-SlowBurnLong': 0.006,
      'shop-prod-Availability-SlowBurnShort': 0.006,
    });
  });

  test('each window alarm is one period as long as its window: 1 h, 5 min, 6 h, 30 min', () => {
    const { alarms } = build();
    const periods = Object.fromEntries(
      NAMES.map((name) => [
        name,
        [...new Set(queries(alarms[name] ?? {}).flatMap((q) => (q.MetricStat ? [q.MetricStat.Period] : [])))],
      ]),
    );
    expect(periods).toEqual({
      'shop-prod-Availability-FastBurnLong': [3600],
      'shop-prod-Availability-FastBurnShort': [300],
      'shop-prod-Availability-SlowBurnLong': [21600],
      'shop-prod-Availability-SlowBurnShort': [1800],
    });
    for (const name of NAMES) {
      expect(alarms[name]).toMatchObject({
        EvaluationPeriods: 1,
        DatapointsToAlarm: 1,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
      });
    }
  });

  test('the ratio is bad / MAX([bad, valid]) with the low-traffic guard, over summed 5xx and requests', () => {
    const { alarms } = build();
    const alarm = alarms['shop-prod-Availability-FastBurnLong'] ?? {};
    expect(returned(alarm)?.Expression).toBe('IF(MAX([bad, valid]) >= 20, bad / MAX([bad, valid]), 0)');
    expect(queries(alarm).find((q) => q.Id === 'bad')).toMatchObject({ Expression: 'target + elb', ReturnData: false });
    expect(metricStats(alarm)).toEqual({
      target: 'HTTPCode_Target_5XX_Count Sum 3600',
      elb: 'HTTPCode_ELB_5XX_Count Sum 3600',
      valid: 'RequestCount Sum 3600',
    });
    expect(queries(alarm).find((q) => q.Id === 'valid')?.MetricStat?.Metric.Dimensions).toEqual([
      { Name: 'LoadBalancer', Value: LOAD_BALANCER.LoadBalancer },
    ]);
  });

  test('without a minimum of valid events, every window with events is judged', () => {
    const { alarms } = build({ indicator: availability() });
    expect(returned(alarms['shop-prod-Availability-SlowBurnShort'] ?? {})?.Expression).toBe('bad / MAX([bad, valid])');
  });

  test('each composite is ALARM when both of its window alarms are, and references them by ARN', () => {
    const { composites, alarms } = build();
    const rule = (long: string, short: string) => ({
      'Fn::Join': [
        '',
        [
          '(ALARM("',
          { 'Fn::GetAtt': [alarms[`shop-prod-Availability-${long}`]?.id, 'Arn'] },
          '") AND ALARM("',
          { 'Fn::GetAtt': [alarms[`shop-prod-Availability-${short}`]?.id, 'Arn'] },
          '"))',
        ],
      ],
    });
    expect(composites['shop-prod-Availability-FastBurn']?.AlarmRule).toEqual(rule('FastBurnLong', 'FastBurnShort'));
    expect(composites['shop-prod-Availability-SlowBurn']?.AlarmRule).toEqual(rule('SlowBurnLong', 'SlowBurnShort'));
  });

  test('the fast burn pages, the slow burn notifies, on ALARM and on OK; window alarms have no actions', () => {
    const { composites, alarms, paging, notifications } = build({}, { topics: true });
    expect(composites['shop-prod-Availability-FastBurn']).toMatchObject({
      ActionsEnabled: true,
      AlarmActions: [paging],
      OKActions: [paging],
    });
    expect(composites['shop-prod-Availability-SlowBurn']).toMatchObject({
      ActionsEnabled: true,
      AlarmActions: [notifications],
      OKActions: [notifications],
    });
    for (const name of NAMES) {
      expect(alarms[name]).toMatchObject({ ActionsEnabled: false });
      expect(alarms[name]).not.toHaveProperty('AlarmActions');
      expect(alarms[name]).not.toHaveProperty('OKActions');
      expect(alarms[name]).not.toHaveProperty('InsufficientDataActions');
    }
  });

  test('without topics the composites have no actions and actions disabled', () => {
    const { composites } = build();
    for (const composite of Object.values(composites)) {
      expect(composite.ActionsEnabled).toBe(false);
      expect(composite).not.toHaveProperty('AlarmActions');
      expect(composite).not.toHaveProperty('OKActions');
    }
  });

  test('with only a notification topic, the slow burn notifies and the fast burn stays quiet', () => {
    const stack = testStack();
    const topic = new sns.Topic(stack, 'Only');
    const { composites } = build({ notificationTopic: topic }, { stack });
    expect(composites['shop-prod-Availability-FastBurn']?.ActionsEnabled).toBe(false);
    expect(composites['shop-prod-Availability-SlowBurn']).toMatchObject({
      ActionsEnabled: true,
      AlarmActions: [{ Ref: stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic) }],
    });
  });

  test('descriptions say how much of the budget burns and what to do', () => {
    const { composites, alarms } = build();
    const fast = String(composites['shop-prod-Availability-FastBurn']?.AlarmDescription);
    expect(fast).toMatch(
      /^PAGE\. The Availability SLO \(99\.9 % good over 30 days\) burns its error budget 14\.4x too fast/,
    );
    expect(fast).toContain('2 % of the 30-day budget gone in 1 h, all of it in 2.08 days at this rate');
    expect(fast).toContain('Over both the last 1 h and the last 5 min');
    expect(fast).toContain('above 1.44 %');
    expect(fast).toContain('roll back or mitigate first');
    const slow = String(composites['shop-prod-Availability-SlowBurn']?.AlarmDescription);
    expect(slow).toContain('5 % of the 30-day budget gone in 6 h, all of it in 5 days at this rate');
    expect(slow).toContain('Not a page');
    expect(alarms['shop-prod-Availability-FastBurnShort']?.AlarmDescription).toContain(
      'only feeds the composite alarm shop-prod-Availability-FastBurn',
    );
    for (const composite of Object.values(composites)) {
      expect(String(composite.AlarmDescription).length).toBeLessThanOrEqual(1024);
    }
  });

  test('windows and burn rates are props; the alarms keep their names', () => {
    const { alarms } = build({
      objectivePercent: 99.5,
      fastBurnRate: 10,
      fastBurnLongWindow: Duration.hours(2),
      fastBurnShortWindow: Duration.minutes(10),
      slowBurnRate: 2,
      slowBurnLongWindow: Duration.days(1),
      slowBurnShortWindow: Duration.hours(2),
    });
    const summary = (name: string) => {
      const alarm = alarms[`shop-prod-Availability-${name}`] ?? {};
      return [alarm.Threshold, queries(alarm).find((q) => q.Id === 'valid')?.MetricStat?.Period];
    };
    expect(['FastBurnLong', 'FastBurnShort', 'SlowBurnLong', 'SlowBurnShort'].map(summary)).toEqual([
      [0.05, 7200],
      [0.05, 600],
      [0.01, 86400],
      [0.01, 7200],
    ]);
  });

  test('a latency indicator counts requests slower than the threshold with the percentile-rank statistic', () => {
    const { alarms } = build({
      objectiveName: 'Latency',
      objectivePercent: 99,
      indicator: ServiceLevelIndicator.latency({
        latency: albMetric('TargetResponseTime', 'p99'),
        threshold: Duration.millis(300),
        minimumValidEventsPerHour: 50,
      }),
    });
    const alarm = alarms['shop-prod-Latency-FastBurnLong'] ?? {};
    expect(returned(alarm)?.Expression).toBe('IF(requests >= 50, (100 - fast) / 100, 0)');
    expect(metricStats(alarm)).toEqual({
      fast: 'TargetResponseTime PR(:0.3) 3600',
      requests: 'TargetResponseTime SampleCount 3600',
    });
    expect(alarm.Threshold).toBe(0.144);
    expect(alarms['shop-prod-Latency-SlowBurnShort']?.Threshold).toBe(0.06);
    // The hourly minimum scales with each window, rounded up: 50 an hour is 5 in 5 minutes, 300 in 6 hours.
    expect(returned(alarms['shop-prod-Latency-FastBurnShort'] ?? {})?.Expression).toBe(
      'IF(requests >= 5, (100 - fast) / 100, 0)',
    );
    expect(returned(alarms['shop-prod-Latency-SlowBurnShort'] ?? {})?.Expression).toBe(
      'IF(requests >= 25, (100 - fast) / 100, 0)',
    );
    expect(returned(alarms['shop-prod-Latency-SlowBurnLong'] ?? {})?.Expression).toBe(
      'IF(requests >= 300, (100 - fast) / 100, 0)',
    );
  });

  test('a latency threshold is written in the unit the metric is published in', () => {
    const indicator = ServiceLevelIndicator.latency({
      latency: new cloudwatch.Metric({ namespace: 'AWS/Lambda', metricName: 'Duration' }),
      threshold: Duration.millis(250),
      latencyUnit: cloudwatch.Unit.MILLISECONDS,
    });
    const stack = testStack();
    const expression = metricExpression(stack, indicator.metricBadEventRatio(Duration.minutes(5)));
    expect(expression.expression).toBe('(100 - fast) / 100');
    expect(expression.period).toBe(300);
    expect(expression.using).toMatchObject({
      fast: { metricName: 'Duration', statistic: 'PR(:250)', period: 300 },
      requests: { metricName: 'Duration', statistic: 'SampleCount', period: 300 },
    });
    expect(indicator.badEventDescription).toBe('requests slower than 250 ms');
  });

  test('burn-rate and compliance metrics for dashboards', () => {
    const { slo } = build();
    const burn = slo.metricErrorBudgetBurnRate(Duration.hours(1)).toMetricConfig().mathExpression;
    expect(burn?.expression).toBe('ratio / 0.001');
    expect(burn?.period).toBe(3600);
    const ratio = burn?.usingMetrics.ratio?.toMetricConfig().mathExpression;
    expect(ratio?.expression).toBe('IF(MAX([bad, valid]) >= 20, bad / MAX([bad, valid]), 0)');
    expect(ratio?.period).toBe(3600);
    const compliance = slo.metricCompliancePercent(Duration.days(1));
    expect(compliance.expression).toBe('100 * (1 - ratio)');
    expect(compliance.period.toSeconds()).toBe(86400);
    expect(compliance.label).toBe('Good events (%, 1 d)');
  });

  test('nothing but the six alarms is created', () => {
    const { template } = build();
    template.resourceCountIs('AWS::CloudWatch::Alarm', 4);
    template.resourceCountIs('AWS::CloudWatch::CompositeAlarm', 2);
    expect(Object.keys(template.toJSON().Resources as object)).toHaveLength(6 + 2); // and the two test topics
    template.hasResourceProperties('AWS::CloudWatch::CompositeAlarm', {
      AlarmName: 'shop-prod-Availability-FastBurn',
      AlarmRule: Match.anyValue(),
    });
  });

  describe('rejects', () => {
    const message = (overrides: Partial<ServiceLevelObjectiveProps>) => thrown(() => build(overrides));

    test.each([100, 0, -1, 120, Number.NaN])('objectivePercent %p', (objectivePercent) => {
      expect(message({ objectivePercent })).toContain(
        `objectivePercent: ${objectivePercent} is not a percentage strictly between 0 and 100`,
      );
    });

    test('every invalid window and burn rate at once, with the value and the fix', () => {
      const text = message({
        objectivePercent: 100,
        fastBurnRate: 0,
        fastBurnShortWindow: Duration.seconds(90),
        slowBurnLongWindow: Duration.days(8),
        slowBurnShortWindow: Duration.seconds(30),
      });
      expect(text).toContain('Test/Slo: 5 invalid props:');
      expect(text).toContain('objectivePercent: 100 is not a percentage strictly between 0 and 100');
      expect(text).toContain('fastBurnRate: 0 is no burn rate; use a positive number');
      expect(text).toContain('fastBurnShortWindow: 1 minute 30 seconds is not a whole number of minutes');
      expect(text).toContain('slowBurnLongWindow: 8 days is longer than an alarm can evaluate');
      expect(text).toContain('slowBurnShortWindow: 30 seconds is not a whole number of minutes');
    });

    test('a short window not shorter than its long window', () => {
      expect(message({ fastBurnShortWindow: Duration.hours(1) })).toBe(
        'Test/Slo: fastBurnShortWindow: 1 hour is not shorter than fastBurnLongWindow (1 hour); the short window confirms a burn is still going on, typically a twelfth of the long one',
      );
    });

    test('a burn rate whose threshold no ratio can exceed', () => {
      expect(message({ objectivePercent: 90 })).toBe(
        'Test/Slo: fastBurnRate: 14.4 x an error budget of 10 % is 144 % of events, a share no window can exceed; use a burn rate below 10',
      );
    });

    test('alarm names that are not plain or too long', () => {
      expect(message({ objectiveName: 'Availability SLO' })).toContain(
        'objectiveName: "Availability SLO" must be letters, digits and hyphens',
      );
      expect(message({ alarmNamePrefix: 'shop/prod' })).toContain('alarmNamePrefix: "shop/prod" must be letters');
      expect(message({ objectiveName: 'A'.repeat(240) })).toContain('would be longer than 255 characters');
      expect(message({ objectiveName: 'A'.repeat(230) })).toBe('');
    });

    test('an error-budget period shorter than a long window', () => {
      expect(message({ errorBudgetPeriod: Duration.hours(3) })).toContain(
        'errorBudgetPeriod: 3 hours is shorter than a long window',
      );
    });

    test("the indicator's own problems with the objective's", () => {
      const text = message({
        objectivePercent: 0,
        indicator: ServiceLevelIndicator.ratio({
          badEvents: albMetric('HTTPCode_Target_5XX_Count', 'Average'),
          validEvents: albMetric('RequestCount'),
          minimumValidEventsPerHour: 2.5,
        }),
      });
      expect(text).toContain('3 invalid props:');
      expect(text).toContain('indicator.badEvents: statistic Average does not count events; use Sum');
      expect(text).toContain('indicator.minimumValidEventsPerHour: 2.5 is not a whole number of events');
    });

    test('a latency indicator with a unit that is no time, or no threshold', () => {
      expect(
        message({
          indicator: ServiceLevelIndicator.latency({
            latency: albMetric('TargetResponseTime'),
            threshold: Duration.millis(300),
            latencyUnit: cloudwatch.Unit.COUNT,
          }),
        }),
      ).toContain('indicator.latencyUnit: Count is not a unit of time');
      expect(
        message({
          indicator: ServiceLevelIndicator.latency({
            latency: albMetric('TargetResponseTime'),
            threshold: Duration.millis(0),
          }),
        }),
      ).toContain('indicator.threshold: 0 millis is no latency; use a positive duration');
    });

    test('an indicator reading more metrics than an alarm may', () => {
      const many = Object.fromEntries(
        Array.from({ length: 10 }, (_, i) => [`e${i}`, albMetric(`HTTPCode_Target_5XX_Count`).with({ label: `${i}` })]),
      );
      const text = message({
        indicator: ServiceLevelIndicator.ratio({
          badEvents: new cloudwatch.MathExpression({ expression: Object.keys(many).join(' + '), usingMetrics: many }),
          validEvents: albMetric('RequestCount'),
        }),
      });
      expect(text).toBe(
        'Test/Slo: indicator: its bad-event ratio reads 11 metrics; an alarm on a math expression reads at most 10',
      );
    });
  });
});
