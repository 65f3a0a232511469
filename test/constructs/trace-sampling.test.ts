import { Template } from 'aws-cdk-lib/assertions';
import { TraceSampling, type TraceSamplingProps } from '../../constructs/compute';
import { testWebService } from '../support/builders';
import { testStack, thrown } from '../support/test-stack';

type Rule = { SamplingRule: Record<string, unknown> };

function rules(props: Partial<TraceSamplingProps> = {}): Rule[] {
  const stack = testStack();
  new TraceSampling(stack, 'Sampling', { serviceName: 'shop-prod', ...props });
  return Object.values(Template.fromStack(stack).findResources('AWS::XRay::SamplingRule')).map(
    (r) => r.Properties as Rule,
  );
}

describe('TraceSampling', () => {
  test('health checks are never traced; the rest: one a second, then 5 %, for this service only', () => {
    const [health, rest] = rules();
    expect(health?.SamplingRule).toMatchObject({
      ServiceName: 'shop-prod',
      URLPath: '/api/health*',
      FixedRate: 0,
      ReservoirSize: 0,
      Priority: 100,
      Version: 1,
    });
    expect(rest?.SamplingRule).toMatchObject({
      ServiceName: 'shop-prod',
      URLPath: '*',
      FixedRate: 0.05,
      ReservoirSize: 1,
      Priority: 1000,
    });
  });

  test('rule names fit X-Ray (32 characters) and differ between services', () => {
    const stack = testStack();
    new TraceSampling(stack, 'AVeryLongConstructIdOfTheFirstServiceSampling', { serviceName: 'a' });
    new TraceSampling(stack, 'AVeryLongConstructIdOfTheSecondServiceSampling', { serviceName: 'b' });
    const names = Object.values(Template.fromStack(stack).findResources('AWS::XRay::SamplingRule')).map(
      (r) => (r.Properties as Rule).SamplingRule.RuleName as string,
    );
    expect(names).toHaveLength(4);
    expect(new Set(names).size).toBe(4);
    for (const name of names) expect(name.length).toBeLessThanOrEqual(32);
  });

  test('configured rate and exclusions', () => {
    const all = rules({ samplePercent: 50, reservoirPerSecond: 0, excludedPaths: ['/a*', '/b'] });
    expect(all.map((r) => [r.SamplingRule.URLPath, r.SamplingRule.FixedRate, r.SamplingRule.Priority])).toEqual([
      ['/a*', 0, 100],
      ['/b', 0, 101],
      ['*', 0.5, 1000],
    ]);
  });

  test('every bad value is reported at once, with the fix', () => {
    const message = thrown(() =>
      rules({ samplePercent: 120, reservoirPerSecond: 1.5, serviceName: '', excludedPaths: ['health'] }),
    );
    expect(message).toMatch(/samplePercent: 120 is not a share/);
    expect(message).toMatch(/reservoirPerSecond: 1.5/);
    expect(message).toMatch(/serviceName: '' must have 1 to 64 characters/);
    expect(message).toMatch(/excludedPaths: 'health'/);
  });

  test('WebService: rules only with tracing, matching the service name the tasks report', () => {
    const count = (tracing: boolean) =>
      Template.fromStack(testWebService({ tracing }).stack).findResources('AWS::XRay::SamplingRule');
    expect(Object.keys(count(false))).toHaveLength(0);
    const traced = testWebService({ tracing: true, traceSamplePercent: 20 }).stack;
    const t = Template.fromStack(traced);
    expect(Object.keys(t.findResources('AWS::XRay::SamplingRule'))).toHaveLength(2);
    t.hasResourceProperties('AWS::XRay::SamplingRule', { SamplingRule: { ServiceName: 'test-web', FixedRate: 0.2 } });
    const containers = Object.values(t.findResources('AWS::ECS::TaskDefinition'))[0]?.Properties
      .ContainerDefinitions as Array<{ Name: string; Environment: Array<{ Name: string; Value: string }> }>;
    const web = containers.find((c) => c.Name === 'web');
    expect(web?.Environment).toContainEqual({ Name: 'OTEL_SERVICE_NAME', Value: 'test-web' });
  });

  test('WebService: a metric filter counts JSON error lines of the app log group into ApplicationErrors', () => {
    const { stack, web } = testWebService();
    Template.fromStack(stack).hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: '{ $.level = "error" }',
      MetricTransformations: [
        {
          MetricNamespace: 'WebService/test-web',
          MetricName: 'ApplicationErrors',
          MetricValue: '1',
          DefaultValue: 0,
          Unit: 'Count',
        },
      ],
    });
    expect(stack.resolve((web.metricApplicationErrors() as unknown as { statistic: string }).statistic)).toBe('Sum');
  });

  test("WebService: the collector serves X-Ray's sampling API on localhost:2000 for the tracer's remote sampler", () => {
    const t = Template.fromStack(testWebService({ tracing: true }).stack);
    const containers = Object.values(t.findResources('AWS::ECS::TaskDefinition'))[0]?.Properties
      .ContainerDefinitions as Array<{
      Name: string;
      Command?: string[];
      Environment?: Array<{ Name: string; Value: string }>;
    }>;
    const collector = containers.find((c) => c.Name === 'otel-collector');
    // AOT_CONFIG_CONTENT replaces the stock file, which would win if --config were still given.
    expect(collector?.Command).toBeUndefined();
    const config = collector?.Environment?.find((e) => e.Name === 'AOT_CONFIG_CONTENT')?.Value ?? '';
    expect(config).toMatch(/\n {2}awsproxy:\n {4}endpoint: 0\.0\.0\.0:2000\n/);
    expect(config).toMatch(/extensions: \[health_check, awsproxy\]/);
    expect(config).toMatch(/receivers: \[otlp\]/);
    expect(config).toMatch(/exporters: \[awsxray\]/);
    expect(config).toMatch(/grpc:\n {8}endpoint: 0\.0\.0\.0:4317/);
  });
});
