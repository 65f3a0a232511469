import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { WebDeploymentStrategy, targetTrackingMetricQueries } from '../../constructs/compute';
import { testWebService } from '../support/builders';
import { metricExpression, metricStat } from '../support/metrics';

const LOAD_BALANCER = { 'Fn::GetAtt': [expect.stringMatching(/^WebLoadBalancer[0-9A-F]{8}$/), 'LoadBalancerFullName'] };
const SERVICE = {
  ClusterName: { Ref: expect.stringMatching(/^WebCluster[0-9A-F]{8}$/) },
  ServiceName: { 'Fn::GetAtt': [expect.stringMatching(/^WebService[0-9A-F]{8}$/), 'Name'] },
};
const targetGroup = (color: string) => ({
  'Fn::GetAtt': [expect.stringMatching(new RegExp(`^WebTargetGroups${color}[0-9A-F]{8}$`)), 'TargetGroupFullName'],
});

describe('WebService metrics', () => {
  const { stack, web } = testWebService();

  test('metricTarget5xxRate: target 5xx answers per request, in percent, over the whole load balancer', () => {
    const sum = (metricName: string) => ({
      namespace: 'AWS/ApplicationELB',
      metricName,
      statistic: 'Sum',
      period: 300,
      dimensions: { LoadBalancer: LOAD_BALANCER },
    });
    expect(metricExpression(stack, web.metricTarget5xxRate())).toEqual({
      expression: '100 * errors / MAX([errors, requests])',
      label: 'Target 5xx rate (%)',
      period: 300,
      using: { errors: sum('HTTPCode_Target_5XX_Count'), requests: sum('RequestCount') },
    });
  });

  test.each([
    ['metricTargetResponseTimeP95', 'p95'],
    ['metricTargetResponseTimeP99', 'p99'],
  ] as const)('%s: target response time over the whole load balancer, at %s', (method, percentile) => {
    expect(metricStat(stack, web[method]())).toEqual({
      namespace: 'AWS/ApplicationELB',
      metricName: 'TargetResponseTime',
      statistic: percentile,
      period: 300,
      dimensions: { LoadBalancer: LOAD_BALANCER },
    });
  });

  test('metricRequestCount: a sum by default; props override statistic and period', () => {
    expect(metricStat(stack, web.metricRequestCount())).toMatchObject({ metricName: 'RequestCount', statistic: 'Sum' });
    expect(metricStat(stack, web.metricRequestCount({ statistic: 'Average', period: Duration.minutes(1) }))).toEqual({
      namespace: 'AWS/ApplicationELB',
      metricName: 'RequestCount',
      statistic: 'Average',
      period: 60,
      dimensions: { LoadBalancer: LOAD_BALANCER },
    });
  });

  test('metricRequestCountPerTask: load-balancer requests over Container Insights running tasks', () => {
    expect(metricExpression(stack, web.metricRequestCountPerTask({ period: Duration.minutes(1) }))).toEqual({
      expression: 'requests / MAX([tasks, 1])',
      label: 'Requests per task',
      period: 60,
      using: {
        requests: {
          namespace: 'AWS/ApplicationELB',
          metricName: 'RequestCount',
          statistic: 'Sum',
          period: 60,
          dimensions: { LoadBalancer: LOAD_BALANCER },
        },
        tasks: {
          namespace: 'ECS/ContainerInsights',
          metricName: 'RunningTaskCount',
          statistic: 'Average',
          period: 60,
          dimensions: SERVICE,
        },
      },
    });
  });

  test.each([
    ['metricRunningTaskCount', 'ECS/ContainerInsights', 'RunningTaskCount'],
    ['metricCpuUtilization', 'AWS/ECS', 'CPUUtilization'],
    ['metricMemoryUtilization', 'AWS/ECS', 'MemoryUtilization'],
  ] as const)('%s: %s %s of the service, averaged', (method, namespace, metricName) => {
    expect(metricStat(stack, web[method]())).toEqual({
      namespace,
      metricName,
      statistic: 'Average',
      period: 300,
      dimensions: SERVICE,
    });
  });

  test.each([
    ['metricHealthyHostCount', 'HealthyHostCount'],
    ['metricUnhealthyHostCount', 'UnHealthyHostCount'],
  ] as const)('%s: %s of the only target group of a rolling service', (method, metricName) => {
    expect(metricStat(stack, web[method]())).toEqual({
      namespace: 'AWS/ApplicationELB',
      metricName,
      statistic: 'Average',
      period: 300,
      dimensions: { LoadBalancer: expect.anything(), TargetGroup: targetGroup('Blue') },
    });
  });

  test.each([
    ['metricHealthyHostCount', 'HealthyHostCount', 'Healthy hosts'],
    ['metricUnhealthyHostCount', 'UnHealthyHostCount', 'Unhealthy hosts'],
  ] as const)('%s: %s summed over blue and green when deployments alternate', (method, metricName, label) => {
    const blueGreen = testWebService({ deploymentStrategy: WebDeploymentStrategy.BLUE_GREEN });
    const perGroup = (color: string) => ({
      namespace: 'AWS/ApplicationELB',
      metricName,
      statistic: 'Minimum',
      period: 300,
      dimensions: { LoadBalancer: expect.anything(), TargetGroup: targetGroup(color) },
    });
    expect(metricExpression(blueGreen.stack, blueGreen.web[method]({ statistic: 'Minimum' }))).toEqual({
      expression: 'FILL(blue, 0) + FILL(green, 0)',
      label,
      period: 300,
      using: { blue: perGroup('Blue'), green: perGroup('Green') },
    });
  });
});

describe('WebService metrics: what of the options reaches the metrics inside an expression', () => {
  const { stack, web } = testWebService();
  const stat = (metric: cloudwatch.IMetric) => metric.toMetricConfig().metricStat;
  const members = (metric: cloudwatch.IMetric) =>
    Object.values(metric.toMetricConfig().mathExpression?.usingMetrics ?? {}).map(stat);

  test.each([
    ['metricTarget5xxRate', ['Sum', 'Sum']],
    ['metricRequestCountPerTask', ['Sum', 'Average']],
  ] as const)(
    '%s: different metrics; the method sets their statistic and unit, the caller where they are read',
    (method, statistics) => {
      const metric = web[method]({
        statistic: 'Maximum',
        unit: cloudwatch.Unit.PERCENT,
        account: '210987654321',
        region: 'eu-central-1',
        dimensionsMap: { LoadBalancer: 'elsewhere' },
        label: 'Mine',
        color: '#ff0000',
        visible: false,
        period: Duration.minutes(1),
      });
      expect(members(metric)).toEqual(
        statistics.map((statistic) =>
          expect.objectContaining({
            statistic,
            unitFilter: undefined,
            account: '210987654321',
            region: 'eu-central-1',
          }),
        ),
      );
      expect(JSON.stringify(metricExpression(stack, metric).using)).not.toContain('elsewhere');
      expect(metric.toMetricConfig()).toMatchObject({
        mathExpression: { period: 60 },
        renderingProperties: { label: 'Mine', color: '#ff0000', visible: false },
      });
    },
  );

  test.each(['metricHealthyHostCount', 'metricUnhealthyHostCount'] as const)(
    '%s: one target group or two, each group takes the same options',
    (method) => {
      const props = {
        statistic: 'Minimum',
        unit: cloudwatch.Unit.COUNT,
        account: '210987654321',
        dimensionsMap: { TargetGroup: 'elsewhere' },
      };
      const rolling = stat(web[method](props));
      const blueGreen = testWebService({ deploymentStrategy: WebDeploymentStrategy.BLUE_GREEN });
      const [blue, green] = members(blueGreen.web[method](props));
      for (const [group, color, groupStack] of [
        [rolling, 'Blue', stack],
        [blue, 'Blue', blueGreen.stack],
        [green, 'Green', blueGreen.stack],
      ] as const) {
        expect(group).toMatchObject({ statistic: 'Minimum', unitFilter: 'Count', account: '210987654321' });
        const dimensions = groupStack.resolve(group?.dimensions) as cloudwatch.Dimension[];
        expect(dimensions.find((d) => d.name === 'TargetGroup')?.value).toEqual(targetGroup(color));
      }
    },
  );
});

describe('alarms and scaling use the metric methods', () => {
  const { stack, web } = testWebService({ rollback5xxPercent: 7, rollbackLatencyP95Ms: 1500 });
  // Alarms made from the methods, rendered by aws-cdk-lib, as what the rollback alarms must equal.
  new cloudwatch.Alarm(stack, 'ReferenceErrorRate', {
    metric: web.metricTarget5xxRate({ period: Duration.minutes(1) }),
    threshold: 7,
    evaluationPeriods: 3,
  });
  new cloudwatch.Alarm(stack, 'ReferenceLatency', {
    metric: web.metricTargetResponseTimeP95({ period: Duration.minutes(1) }),
    threshold: 1.5,
    evaluationPeriods: 3,
  });
  const alarms = Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm');
  const alarm = (prefix: string) => {
    const found = Object.entries(alarms).filter(([id]) => id.startsWith(prefix));
    expect(found).toHaveLength(1);
    return found[0]?.[1].Properties;
  };
  const METRIC_KEYS = ['Metrics', 'Namespace', 'MetricName', 'Dimensions', 'Statistic', 'ExtendedStatistic', 'Period'];
  const metricOf = (properties: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(properties).filter(([key]) => METRIC_KEYS.includes(key)));

  test('the 5xx rollback alarm watches metricTarget5xxRate over one minute', () => {
    const properties = alarm('WebRollbackAlarmsErrorRate');
    expect(metricOf(properties)).toEqual(metricOf(alarm('ReferenceErrorRate')));
    expect(properties.Threshold).toBe(7);
  });

  test('the latency rollback alarm watches metricTargetResponseTimeP95 over one minute, in seconds', () => {
    const properties = alarm('WebRollbackAlarmsLatency');
    expect(metricOf(properties)).toEqual(metricOf(alarm('ReferenceLatency')));
    expect(properties.Threshold).toBe(1.5);
  });

  test('the requests scaling policy tracks metricRequestCountPerTask', () => {
    const perTask = metricExpression(stack, web.metricRequestCountPerTask());
    const query = (id: 'requests' | 'tasks') => ({
      Id: id,
      ReturnData: false,
      MetricStat: {
        Stat: perTask.using[id]?.statistic,
        Metric: {
          Namespace: perTask.using[id]?.namespace,
          MetricName: perTask.using[id]?.metricName,
          Dimensions: Object.entries(perTask.using[id]?.dimensions ?? {}).map(([Name, Value]) => ({ Name, Value })),
        },
      },
    });
    const policies = Template.fromStack(stack).findResources('AWS::ApplicationAutoScaling::ScalingPolicy', {
      Properties: { PolicyType: 'TargetTrackingScaling', PolicyName: 'Test-test-web-requests' },
    });
    const [policy] = Object.values(policies);
    expect(policy?.Properties.TargetTrackingScalingPolicyConfiguration.CustomizedMetricSpecification.Metrics).toEqual([
      query('requests'),
      query('tasks'),
      { Id: 'perTask', Expression: perTask.expression, Label: perTask.label, ReturnData: true },
    ]);
  });
});

describe('targetTrackingMetricQueries', () => {
  const requests = new cloudwatch.Metric({
    namespace: 'App',
    metricName: 'Requests',
    dimensionsMap: { Service: 'web' },
    statistic: 'Sum',
    unit: cloudwatch.Unit.COUNT,
  });
  const tasks = new cloudwatch.Metric({ namespace: 'App', metricName: 'Tasks', statistic: 'Maximum' });

  test('one query per metric, then the expression, the only one returned', () => {
    const metric = new cloudwatch.MathExpression({
      expression: 'r / t',
      usingMetrics: { r: requests, t: tasks },
      label: 'Per task',
      period: Duration.minutes(5),
    });
    expect(targetTrackingMetricQueries(metric, 'e')).toEqual([
      {
        id: 'r',
        returnData: false,
        metricStat: {
          stat: 'Sum',
          unit: 'Count',
          metric: { namespace: 'App', metricName: 'Requests', dimensions: [{ name: 'Service', value: 'web' }] },
        },
      },
      {
        id: 't',
        returnData: false,
        metricStat: { stat: 'Maximum', metric: { namespace: 'App', metricName: 'Tasks' } },
      },
      { id: 'e', expression: 'r / t', label: 'Per task', returnData: true },
    ]);
  });

  test('refuses what target tracking cannot read', () => {
    expect(() => targetTrackingMetricQueries(requests, 'e')).toThrow(/takes a math expression/);
    const nested = new cloudwatch.MathExpression({
      expression: 'inner * 2',
      usingMetrics: { inner: new cloudwatch.MathExpression({ expression: 'r + 1', usingMetrics: { r: requests } }) },
    });
    expect(() => targetTrackingMetricQueries(nested, 'e')).toThrow(/"inner" is not a plain metric/);
    const elsewhere = new cloudwatch.MathExpression({
      expression: 'r',
      usingMetrics: { r: requests.with({ account: '210987654321' }) },
    });
    expect(() => targetTrackingMetricQueries(elsewhere, 'e')).toThrow(/"r" names an account or region/);
  });
});
