import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { WebService } from '../../constructs/compute';
import { CacheCluster } from '../../constructs/data';
import { CLOUDFRONT_REGION, WebAcl, WebDistribution } from '../../constructs/edge';
import { ServiceDashboard, type ServiceDashboardProps } from '../../constructs/observability';
import { testDatabase } from '../support/builders';
import { thrown } from '../support/test-stack';

/** The project's cross-stack reference strength (cdk.json), so the edge stack's ids cross regions. */
const WEAK_REFERENCES = { '@aws-cdk/core:defaultCrossStackReferences': 'weak' };

/** What a dashboard can show, built by {@link build}. */
interface Layers {
  readonly stack: Stack;
  readonly service: WebService;
  readonly database: ReturnType<typeof testDatabase>['db'];
  readonly cache: CacheCluster;
  readonly distribution: WebDistribution;
  readonly webAcl: WebAcl;
}

/**
 * Every layer in one regional stack (service, database with a replica, cache) and the edge
 * (distribution and web ACL) in a us-east-1 stack of the same app, as an environment has them.
 */
function build(overrides: (layers: Layers) => Partial<ServiceDashboardProps> = () => ({})) {
  const f = testDatabase({ readReplicas: 1 }, { context: WEAK_REFERENCES });
  const { stack, vpc } = f;
  const service = new WebService(stack, 'Web', {
    vpc,
    subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/node:22-alpine'),
    name: 'test-web',
    logEncryptionKey: f.logKey,
  });
  const cache = new CacheCluster(stack, 'Cache', {
    vpc,
    subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    replicationGroupId: 'test-cache',
    encryptionKey: f.key,
    logEncryptionKey: f.logKey,
  });
  const edge = new Stack(stack.node.root as App, 'Edge', {
    env: { account: '123456789012', region: CLOUDFRONT_REGION },
  });
  const webAcl = new WebAcl(edge, 'Acl', { name: 'test-web', logEncryptionKey: new kms.Key(edge, 'Key') });
  const distribution = new WebDistribution(edge, 'Cdn', {
    name: 'test-web',
    loadBalancer: elbv2.ApplicationLoadBalancer.fromApplicationLoadBalancerAttributes(edge, 'Alb', {
      loadBalancerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/0123456789abcdef',
      securityGroupId: 'sg-0123456789abcdef0',
      loadBalancerDnsName: 'internal-web-123.eu-west-1.elb.amazonaws.com',
    }),
    webAclArn: webAcl.webAclArn,
    contentSecurityPolicy: "default-src 'self'",
  });
  const layers: Layers = { stack, service, database: f.db, cache, distribution, webAcl };
  const dashboard = new ServiceDashboard(stack, 'Dashboard', {
    service,
    database: f.db,
    cache,
    distribution,
    webAcl,
    ...overrides(layers),
  });
  return { ...layers, dashboard };
}

interface Widget {
  type: string;
  properties: {
    title?: string;
    markdown?: string;
    region?: string;
    alarms?: unknown[];
    metrics?: unknown[][];
  };
}

/** The dashboard body as CloudWatch receives it, with the cross-stack ids left as placeholders. */
function widgets(stack: Stack): Widget[] {
  const [dashboard] = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard'));
  const body = stack.resolve(dashboard.Properties.DashboardBody) as unknown;
  return (JSON.parse(flatten(body)) as { widgets: Widget[] }).widgets;
}

/** `Fn::Join` of strings and tokens as one string: `{ Ref: X }` as `<X>`, other tokens as `<token>`. */
function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  const { 'Fn::Join': join, Ref: ref } = value as { 'Fn::Join'?: [string, unknown[]]; Ref?: string };
  if (ref !== undefined) return `<${ref}>`;
  if (join === undefined) return '<token>';
  return join[1].map(flatten).join(join[0]);
}

/** Each metric's namespace: the first entry of a metric array that is not `...` or an expression. */
function namespaces(widget: Widget): string[] {
  return (widget.properties.metrics ?? [])
    .map((metric) => metric[0])
    .filter((first): first is string => typeof first === 'string' && first.includes('/'));
}

describe('ServiceDashboard', () => {
  test('graphs every layer in the order a request travels, CloudFront and WAF first', () => {
    const all = widgets(build().stack);
    const order = all.flatMap(namespaces).filter((ns, i, list) => list.indexOf(ns) === i);
    expect(order).toEqual([
      'AWS/CloudFront',
      'AWS/WAFV2',
      'AWS/ApplicationELB',
      'ECS/ContainerInsights',
      'AWS/ECS',
      'AWS/RDS',
      'AWS/ElastiCache',
    ]);
    // Each hop has a heading, in the same order.
    expect(all.filter((w) => w.type === 'text').map((w) => w.properties.markdown)).toEqual([
      `## Edge: CloudFront and WAF (${CLOUDFRONT_REGION})`,
      '## Load balancer',
      '## ECS service',
      '## RDS Proxy',
      '## Database: primary and replicas',
      '## Cache',
    ]);
  });

  test("CloudFront and WAF graphs are cross-region widgets read in us-east-1; the others in the dashboard's region", () => {
    const graphs = widgets(build().stack).filter((w) => w.type === 'metric');
    for (const graph of graphs) {
      const edge = namespaces(graph).some((ns) => ns === 'AWS/CloudFront' || ns === 'AWS/WAFV2');
      expect({ title: graph.properties.title, region: graph.properties.region }).toEqual({
        title: graph.properties.title,
        region: edge ? CLOUDFRONT_REGION : '<AWS::Region>',
      });
    }
    const edgeMetrics = graphs
      .filter((g) => namespaces(g).some((ns) => ns === 'AWS/CloudFront' || ns === 'AWS/WAFV2'))
      .flatMap((g) => g.properties.metrics ?? []);
    expect(edgeMetrics.length).toBeGreaterThan(0);
    for (const metric of edgeMetrics) {
      expect(metric[metric.length - 1]).toMatchObject({ region: CLOUDFRONT_REGION });
    }
  });

  test('covers the golden signals of each hop', () => {
    const titles = widgets(build().stack).map((w) => w.properties.title);
    expect(titles).toEqual(
      expect.arrayContaining([
        'CloudFront requests',
        'CloudFront error rate',
        'WAF requests',
        'ALB requests',
        'ALB target 5xx rate',
        'ALB target response time',
        'ALB targets',
        'Running tasks',
        'Task CPU and memory',
        'Proxy client connections',
        'Proxy connection failures',
        'Replica lag (largest)',
        'Primary CPU',
        'Cache evictions',
        'Cache replication lag',
        'Cache CPU and memory',
      ]),
    );
    // Origin latency needs CloudFront's additional metrics: only on request.
    expect(titles).not.toContain('CloudFront origin latency');
    expect(widgets(build(() => ({ distributionOriginLatency: true })).stack).map((w) => w.properties.title)).toContain(
      'CloudFront origin latency',
    );
  });

  test('alarms given are shown first, in an alarm status widget', () => {
    const { stack } = build(({ stack: s, service }) => ({
      alarms: [
        new cloudwatch.Alarm(s, 'Errors', {
          metric: service.metricTarget5xxRate(),
          threshold: 5,
          evaluationPeriods: 1,
        }),
      ],
    }));
    const [first] = widgets(stack);
    expect(first.type).toBe('alarm');
    expect(first.properties.alarms).toHaveLength(1);
    expect(widgets(build().stack).some((w) => w.type === 'alarm')).toBe(false);
  });

  test('replica lags are left out where there are no replicas, instead of throwing', () => {
    const titles = widgets(build(() => ({ databaseReplicaLag: false, cacheReplicationLag: false })).stack).map(
      (w) => w.properties.title,
    );
    expect(titles).not.toContain('Replica lag (largest)');
    expect(titles).not.toContain('Cache replication lag');
  });

  test('any subset of layers works; none is a validation error', () => {
    const { stack } = build(() => ({ distribution: undefined, webAcl: undefined, database: undefined }));
    expect(widgets(stack).flatMap(namespaces)).not.toContain('AWS/CloudFront');
    expect(thrown(() => new ServiceDashboard(new Stack(new App(), 'Empty'), 'Dashboard', {}))).toContain(
      'nothing to show',
    );
  });
});
