import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import type { IWebService } from '../compute/web-service';
import type { ICacheCluster } from '../data/cache-cluster';
import type { IPostgresDatabase } from '../data/postgres-database';
import { CLOUDFRONT_REGION } from '../edge/cloudfront-region';
import type { WebAcl } from '../edge/web-acl';
import type { WebDistribution } from '../edge/web-distribution';
import { ValidationError } from '../shared/errors';

/**
 * The metrics of a CDN the dashboard graphs: a {@link WebDistribution}, or anything with the same
 * methods (e.g. a stand-in that names a distribution of another stack by id, so that the dashboard's
 * stack needs no reference into the edge stack's region).
 */
export type DistributionMetrics = Pick<
  WebDistribution,
  'metricRequests' | 'metric4xxErrorRate' | 'metric5xxErrorRate' | 'metricOriginLatency'
>;

/** The metrics of a web ACL the dashboard graphs: a {@link WebAcl}, or anything with the same methods. */
export type WebAclMetrics = Pick<WebAcl, 'metricAllowedRequests' | 'metricBlockedRequests'>;

/** Properties of a {@link ServiceDashboard}. */
export interface ServiceDashboardProps {
  /**
   * Name of the dashboard (letters, digits, `-` and `_`, at most 255). A name is a physical name:
   * changing it replaces the dashboard.
   *
   * @default - a name CloudFormation generates
   */
  readonly dashboardName?: string;
  /**
   * The CDN in front of the service. Its metrics are CloudFront's, read in {@link CLOUDFRONT_REGION}
   * whatever the dashboard's region: its graphs are cross-region widgets.
   *
   * @default - no CDN row
   */
  readonly distribution?: DistributionMetrics;
  /**
   * Whether to graph the CDN's origin latency. CloudFront publishes it only for a distribution with
   * additional metrics (a monitoring subscription, charged per distribution); without one the graph
   * stays empty.
   *
   * @default false
   */
  readonly distributionOriginLatency?: boolean;
  /**
   * The web ACL in front of the CDN. A CLOUDFRONT-scope web ACL's metrics are read in
   * {@link CLOUDFRONT_REGION}, like the CDN's.
   *
   * @default - no web ACL graph
   */
  readonly webAcl?: WebAclMetrics;
  /**
   * The service: its load balancer and ECS tasks.
   *
   * @default - no load balancer and service rows
   */
  readonly service?: IWebService;
  /**
   * The database: its proxy, primary and replicas.
   *
   * @default - no database rows
   */
  readonly database?: IPostgresDatabase;
  /**
   * Whether the database has read replicas, whose lag the dashboard then graphs
   * (`metricReplicaLag` throws without replicas: only replicas publish it).
   *
   * @default true
   */
  readonly databaseReplicaLag?: boolean;
  /**
   * The cache.
   *
   * @default - no cache row
   */
  readonly cache?: ICacheCluster;
  /**
   * Whether the cache has replicas, whose replication lag the dashboard then graphs
   * (`metricReplicationLag` throws when `replicasPerShard` is 0).
   *
   * @default true
   */
  readonly cacheReplicationLag?: boolean;
  /**
   * Alarms shown at the top, in an alarm status widget. CloudWatch shows alarms of the dashboard's
   * region there; alarms on the CDN and web ACL live in {@link CLOUDFRONT_REGION}, so show those on
   * a dashboard there, or rely on a composite alarm of this region that names them.
   *
   * @default - no alarm status widget
   */
  readonly alarms?: cloudwatch.IAlarm[];
  /**
   * Time range the dashboard opens with.
   *
   * @default Duration.hours(3)
   */
  readonly defaultInterval?: Duration;
}

/**
 * The graph's metrics with the member ids of each math expression made unique across the graph.
 * CloudWatch wants every id in a graph unique, and the metric methods name their members alike
 * (`m1`, `m2`... over nodes; `blue`, `green` over target groups), so two such expressions could
 * not share a graph as they are.
 */
function withDistinctIds(
  left: cloudwatch.IMetric[],
  right: cloudwatch.IMetric[],
): { left: cloudwatch.IMetric[]; right: cloudwatch.IMetric[] } {
  const all = [...left, ...right];
  if (all.filter((metric) => metric.toMetricConfig().mathExpression !== undefined).length <= 1) {
    return { left, right };
  }
  const renamed = all.map((metric, index) => {
    const config = metric.toMetricConfig();
    const math = config.mathExpression;
    if (math === undefined) {
      return metric;
    }
    const ids = new Set(Object.keys(math.usingMetrics));
    const rename = (id: string) => `${id}_${index}`;
    return new cloudwatch.MathExpression({
      // Ids start with a lowercase letter; function names (MAX, FILL...) are upper case.
      expression: math.expression.replace(/\b[a-z][A-Za-z0-9_]*\b/g, (word) => (ids.has(word) ? rename(word) : word)),
      usingMetrics: Object.fromEntries(Object.entries(math.usingMetrics).map(([id, used]) => [rename(id), used])),
      period: Duration.seconds(math.period),
      label: config.renderingProperties?.label as string | undefined,
      color: config.renderingProperties?.color as string | undefined,
    });
  });
  return { left: renamed.slice(0, left.length), right: renamed.slice(left.length) };
}

/** Width of a dashboard row in grid units. */
const ROW_WIDTH = 24;
const GRAPH_HEIGHT = 6;

/**
 * A section of the dashboard: one hop of a request, with its graphs in golden-signal order (traffic,
 * errors, latency, saturation).
 */
interface Section {
  readonly title: string;
  readonly region?: string;
  readonly graphs: GraphSpec[];
}

interface GraphSpec {
  readonly title: string;
  readonly left: cloudwatch.IMetric[];
  readonly right?: cloudwatch.IMetric[];
  readonly leftUnit?: string;
  readonly rightUnit?: string;
}

/**
 * One CloudWatch dashboard with the golden signals of a web service (traffic, errors, latency,
 * saturation), laid out in the order a request travels: CloudFront and WAF, the load balancer, the
 * ECS service, the RDS Proxy, the database primary and replicas, the cache. Each hop is a titled row
 * of graphs built from the constructs' own `metricXxx()` methods, so the dashboard shows exactly what
 * the alarms watch.
 *
 * CloudFront and CLOUDFRONT-scope WAF metrics exist only in {@link CLOUDFRONT_REGION}: their graphs
 * are cross-region widgets (the widget's `region` and each metric's `region` are `us-east-1`),
 * which CloudWatch dashboards support in the same account without any setup.
 *
 * Written by hand rather than with `cdk-monitoring-constructs`' `MonitoringFacade`: its segments
 * (`monitorFargateService`, `monitorRdsInstance`, `monitorElastiCacheCluster`...) take the raw
 * aws-cdk-lib resources and build their own metrics, while our interfaces expose metric methods
 * (blue and green target groups summed, cache metrics over every node, RDS Proxy metrics the facade
 * has no segment for); a `monitorCustom` segment over our metrics would add only a layout.
 */
export class ServiceDashboard extends Construct {
  /** The dashboard. */
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: ServiceDashboardProps) {
    super(scope, id);
    const sections = this.sections(props);
    if (sections.length === 0) {
      throw new ValidationError(
        this,
        'nothing to show: give at least one of distribution, webAcl, service, database or cache',
      );
    }

    this.dashboard = new cloudwatch.Dashboard(this, 'Resource', {
      dashboardName: props.dashboardName,
      defaultInterval: props.defaultInterval ?? Duration.hours(3),
    });
    if ((props.alarms ?? []).length > 0) {
      this.dashboard.addWidgets(
        new cloudwatch.AlarmStatusWidget({
          title: 'Alarms',
          alarms: props.alarms ?? [],
          width: ROW_WIDTH,
          height: 4,
          sortBy: cloudwatch.AlarmStatusWidgetSortBy.STATE_UPDATED_TIMESTAMP,
        }),
      );
    }
    for (const section of sections) {
      this.dashboard.addWidgets(
        new cloudwatch.TextWidget({
          markdown: `## ${section.title}${section.region === undefined ? '' : ` (${section.region})`}`,
          width: ROW_WIDTH,
          height: 1,
        }),
      );
      const width = Math.max(6, Math.floor(ROW_WIDTH / section.graphs.length));
      this.dashboard.addWidgets(
        ...section.graphs.map(
          (graph) =>
            new cloudwatch.GraphWidget({
              title: graph.title,
              region: section.region,
              ...withDistinctIds(graph.left, graph.right ?? []),
              leftYAxis: { min: 0, label: graph.leftUnit, showUnits: graph.leftUnit === undefined },
              rightYAxis: graph.right === undefined ? undefined : { min: 0, label: graph.rightUnit, showUnits: false },
              width,
              height: GRAPH_HEIGHT,
            }),
        ),
      );
    }
  }

  private sections(props: ServiceDashboardProps): Section[] {
    const sections: Section[] = [];
    const edge: GraphSpec[] = [];
    const cdn = props.distribution;
    if (cdn !== undefined) {
      edge.push(
        { title: 'CloudFront requests', left: [cdn.metricRequests({ label: 'Requests' })] },
        {
          title: 'CloudFront error rate',
          left: [cdn.metric5xxErrorRate({ label: '5xx' }), cdn.metric4xxErrorRate({ label: '4xx' })],
          leftUnit: '%',
        },
      );
      if (props.distributionOriginLatency === true) {
        edge.push({
          title: 'CloudFront origin latency',
          left: [
            cdn.metricOriginLatency({ label: 'p50', statistic: 'p50' }),
            cdn.metricOriginLatency({ label: 'p99', statistic: 'p99' }),
          ],
          leftUnit: 'ms',
        });
      }
    }
    if (props.webAcl !== undefined) {
      edge.push({
        title: 'WAF requests',
        left: [
          props.webAcl.metricAllowedRequests({ label: 'Allowed' }),
          props.webAcl.metricBlockedRequests({ label: 'Blocked' }),
        ],
      });
    }
    if (edge.length > 0) {
      sections.push({ title: 'Edge: CloudFront and WAF', region: CLOUDFRONT_REGION, graphs: edge });
    }

    const service = props.service;
    if (service !== undefined) {
      sections.push(
        {
          title: 'Load balancer',
          graphs: [
            { title: 'ALB requests', left: [service.metricRequestCount({ label: 'Requests' })] },
            { title: 'ALB target 5xx rate', left: [service.metricTarget5xxRate()], leftUnit: '%' },
            {
              title: 'ALB target response time',
              left: [
                service.metricTargetResponseTimeP95({ label: 'p95' }),
                service.metricTargetResponseTimeP99({ label: 'p99' }),
              ],
              leftUnit: 's',
            },
            {
              title: 'ALB targets',
              left: [service.metricHealthyHostCount(), service.metricUnhealthyHostCount()],
            },
          ],
        },
        {
          title: 'ECS service',
          graphs: [
            { title: 'Requests per task', left: [service.metricRequestCountPerTask()] },
            { title: 'Running tasks', left: [service.metricRunningTaskCount({ label: 'Running tasks' })] },
            {
              title: 'Task CPU and memory',
              left: [
                service.metricCpuUtilization({ label: 'CPU' }),
                service.metricMemoryUtilization({ label: 'Memory' }),
              ],
              leftUnit: '%',
            },
          ],
        },
      );
    }

    const db = props.database;
    if (db !== undefined) {
      sections.push(
        {
          title: 'RDS Proxy',
          graphs: [
            {
              title: 'Proxy client connections',
              left: [db.metricProxyClientConnections({ label: 'Client connections' })],
            },
            {
              title: 'Proxy connection failures',
              left: [
                db.metricProxyDatabaseConnectionsSetupFailed({ label: 'To the database' }),
                db.metricProxyClientConnectionsSetupFailedAuth({ label: 'Client auth/TLS' }),
              ],
            },
          ],
        },
        {
          title: 'Database: primary and replicas',
          graphs: [
            { title: 'Primary connections', left: [db.metricDatabaseConnections({ label: 'Connections' })] },
            ...(props.databaseReplicaLag === false
              ? []
              : [
                  {
                    title: 'Replica lag (largest)',
                    left: [db.metricReplicaLag({ label: 'Replica lag' })],
                    leftUnit: 's',
                  },
                ]),
            { title: 'Primary CPU', left: [db.metricCPUUtilization({ label: 'CPU' })], leftUnit: '%' },
            {
              title: 'Primary memory and storage',
              left: [db.metricFreeableMemory({ label: 'Freeable memory' })],
              right: [db.metricFreeStorageSpace({ label: 'Free storage' })],
              leftUnit: 'bytes',
              rightUnit: 'bytes',
            },
          ],
        },
      );
    }

    const cache = props.cache;
    if (cache !== undefined) {
      sections.push({
        title: 'Cache',
        graphs: [
          { title: 'Cache connections', left: [cache.metricCurrConnections({ label: 'Connections' })] },
          { title: 'Cache evictions', left: [cache.metricEvictions({ label: 'Evictions' })] },
          ...(props.cacheReplicationLag === false
            ? []
            : [
                {
                  title: 'Cache replication lag',
                  left: [cache.metricReplicationLag({ label: 'Replication lag' })],
                  leftUnit: 's',
                },
              ]),
          {
            title: 'Cache CPU and memory',
            left: [
              cache.metricCPUUtilization({ label: 'Host CPU' }),
              cache.metricEngineCPUUtilization({ label: 'Engine CPU' }),
              cache.metricDatabaseMemoryUsagePercentage({ label: 'Memory used' }),
            ],
            leftUnit: '%',
          },
        ],
      });
    }
    return sections;
  }
}
