import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, type IConstruct } from 'constructs';
import { splitMetricOptions } from '../shared/metric-options';
import { throwOnProblems } from '../shared/problems';
import {
  createAlternateTarget,
  createDeploymentProbe,
  createRollbackAlarms,
  deploymentOptions,
  shiftsTraffic,
} from './web-deployment';
import { TraceSampling } from './trace-sampling';
import { createFallbackRule, createLoadBalancing } from './web-load-balancer';
import { configureScaling } from './web-scaling';
import { webServiceProblems } from './web-service-rules';
import { resolveWebServiceProps, type WebServiceProps } from './web-service-props';
import { createService, createTasks } from './web-tasks';

/**
 * A web service as the layers around it see it: a load balancer to put in front of, tasks to let
 * into data stores, and the metrics to alarm and graph on.
 */
export interface IWebService extends IConstruct, ec2.IConnectable {
  /** The internal load balancer, e.g. a CDN's VPC origin. */
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  /** Port of the production listener: 443 with a certificate, 80 without. */
  readonly listenerPort: number;
  /** Protocol of the production listener. */
  readonly protocol: elbv2.ApplicationProtocol;

  /**
   * Lets `peer` reach the production listener. The rules are created from the peer's side, so they
   * live in the peer's stack.
   */
  allowHttpFrom(peer: ec2.IConnectable, description?: string): void;

  /**
   * The share of requests the tasks answered with a 5xx status code, in percent, over the whole
   * load balancer: both target groups of a blue/green deployment.
   *
   * A math expression `100 * errors / MAX([errors, requests])` over the sums of
   * `HTTPCode_Target_5XX_Count` and `RequestCount`. `props` are split by `splitMetricOptions` with
   * `unlike` members: `statistic` and `unit` do not apply, `account` and `region` go to both
   * metrics, `label`, `color`, `period` and `visible` to the expression.
   *
   * The load balancer publishes `HTTPCode_Target_5XX_Count` only for periods with at least one 5xx,
   * so in a period without any the rate has no data point rather than 0 (nor has it in a period
   * without requests). Graphs show a gap; an alarm on it should treat missing data as not
   * breaching, as the rollback alarms do (`TreatMissingData.NOT_BREACHING`), or it stays in
   * INSUFFICIENT_DATA while all is well.
   *
   * @default - sum over 5 minutes
   */
  metricTarget5xxRate(props?: cloudwatch.MetricOptions): cloudwatch.IMetric;
  /**
   * The time elapsed, in seconds, after a request leaves the load balancer until the tasks answer:
   * its 95th percentile, over the whole load balancer. `statistic` does not apply.
   *
   * @default - p95 over 5 minutes
   */
  metricTargetResponseTimeP95(props?: cloudwatch.MetricOptions): cloudwatch.IMetric;
  /**
   * The time elapsed, in seconds, after a request leaves the load balancer until the tasks answer:
   * its 99th percentile, over the whole load balancer. `statistic` does not apply.
   *
   * @default - p99 over 5 minutes
   */
  metricTargetResponseTimeP99(props?: cloudwatch.MetricOptions): cloudwatch.IMetric;
  /**
   * The time elapsed, in seconds, after a request leaves the load balancer until the tasks answer,
   * over the whole load balancer, as a plain metric: give it any statistic, e.g. a percentile rank
   * (`PR(:0.5)`, the share of requests answered within 0.5 s) for a latency objective.
   *
   * @default - average over 5 minutes
   */
  metricTargetResponseTime(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /**
   * Answers users got as a 5xx: those of the tasks plus those the load balancer generated itself
   * (no healthy target, a target that timed out or reset the connection), which the target count
   * misses. A math expression over the two sums; `props` are split with `unlike` members.
   *
   * @default - sum over 5 minutes
   */
  metricServerErrorCount(props?: cloudwatch.MetricOptions): cloudwatch.IMetric;
  /**
   * The number of requests the load balancer processed with a response from the tasks.
   *
   * @default - sum over 5 minutes
   */
  metricRequestCount(props?: cloudwatch.MetricOptions): cloudwatch.IMetric;
  /**
   * The load balancer's requests per running task: `RequestCount` divided by Container Insights'
   * `RunningTaskCount` (at least 1), over the whole load balancer. What the service scales on.
   *
   * A math expression over the request sum and the task average. `props` are split by
   * `splitMetricOptions` with `unlike` members: `statistic` and `unit` do not apply, `account` and
   * `region` go to both metrics, `label`, `color`, `period` and `visible` to the expression.
   *
   * @default - sum of requests over average tasks, over 5 minutes
   */
  metricRequestCountPerTask(props?: cloudwatch.MetricOptions): cloudwatch.IMetric;
  /**
   * The number of tasks the load balancer considers healthy, summed over the blue and green target
   * groups when the deployment strategy alternates between them (a math expression; `props` are
   * split by `splitMetricOptions` with `alike` members, so `statistic` applies to each group).
   *
   * @default - average over 5 minutes
   */
  metricHealthyHostCount(props?: cloudwatch.MetricOptions): cloudwatch.IMetric;
  /**
   * The number of tasks the load balancer considers unhealthy, summed over the blue and green
   * target groups when the deployment strategy alternates between them (a math expression; `props`
   * are split by `splitMetricOptions` with `alike` members, so `statistic` applies to each group).
   *
   * @default - average over 5 minutes
   */
  metricUnhealthyHostCount(props?: cloudwatch.MetricOptions): cloudwatch.IMetric;
  /**
   * The number of tasks in the RUNNING state, from Container Insights.
   *
   * @default - average over 5 minutes
   */
  metricRunningTaskCount(props?: cloudwatch.MetricOptions): cloudwatch.IMetric;
  /**
   * The service's CPU utilization, in percent of the tasks' CPU.
   *
   * @default - average over 5 minutes
   */
  metricCpuUtilization(props?: cloudwatch.MetricOptions): cloudwatch.IMetric;
  /**
   * The service's memory utilization, in percent of the tasks' memory.
   *
   * @default - average over 5 minutes
   */
  metricMemoryUtilization(props?: cloudwatch.MetricOptions): cloudwatch.IMetric;

  /**
   * Log lines of the application whose JSON `level` is `error`, counted by a metric filter on its
   * log group (0 for every other line, so a quiet period reads as zero, not as missing data).
   *
   * @default - sum over 5 minutes
   */
  metricApplicationErrors(props?: cloudwatch.MetricOptions): cloudwatch.IMetric;

  /**
   * The alarms that roll a deployment back (5xx rate and p95 latency over one-minute periods). They
   * carry no actions: ECS watches them. Monitoring may build on them (a composite alarm that
   * notifies), never add actions that would change what they do.
   */
  readonly rollbackAlarms: readonly cloudwatch.IAlarm[];
}

/**
 * The Next.js application on ECS Fargate behind an internal Application Load Balancer.
 *
 * - An ECS cluster with Container Insights (enhanced) and audited ECS Exec.
 * - ARM64 tasks in the application tier, no public IP, read-only root file system with writable
 *   scratch volumes, a non-root user, a container health check, logs to an encrypted group,
 *   secrets injected by ECS; optional ADOT sidecar for X-Ray traces.
 * - Egress only on HTTPS: to the AWS API peers given (VPC endpoints, the S3 prefix list), and to the
 *   internet only with `internetEgress` (by default, only when no peers are given).
 * - An internal load balancer whose security group admits no one until {@link allowHttpFrom};
 *   HTTPS (TLS 1.3 policy) with a certificate, HTTP inside the VPC otherwise; invalid headers dropped,
 *   strictest desync mitigation, access logs, deletion protection.
 * - Autoscaling between bounds on CPU, memory and requests per task, on schedules, and predictively.
 * - ECS native rolling, blue/green, canary or linear deployments with a bake time, rolled back by
 *   the circuit breaker or by alarms on 5xx rate and latency; blue/green, canary and linear probe the
 *   new revision through a test listener with a Lambda lifecycle hook before production traffic moves.
 * - The listener rules ECS shifts traffic on (blue/green, canary, linear) are created through a
 *   custom resource that never sends their actions on update, so a stack update cannot point
 *   production back at a target group without tasks (aws/aws-cdk#36649; see
 *   `EcsManagedListenerRule`). This uses the stack's `AwsCustomResource` function: at most one
 *   traffic-shifting web service per stack, created before any other `AwsCustomResource` there.
 *   Rolling deployments keep a plain CloudFormation rule to blue, which ECS does not rewrite.
 *
 * Invalid props are reported all at once, each with its field; values that are tokens are skipped.
 */
export class WebService extends Construct implements IWebService {
  /** The ECS cluster. */
  public readonly cluster: ecs.Cluster;
  /** The Fargate service. */
  public readonly service: ecs.FargateService;
  /** The task definition. */
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  /** The internal load balancer. */
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** The production listener (443 with a certificate, 80 without). */
  public readonly listener: elbv2.ApplicationListener;
  /** Port of the production listener. */
  public readonly listenerPort: number;
  /** Target group that serves production traffic first ("blue"). */
  public readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** The application's log group. */
  public readonly logGroup: logs.ILogGroup;
  /** The metric filter counting the application's error lines. */
  public readonly applicationErrorsFilter: logs.MetricFilter;
  /** The X-Ray sampling rules, when the service is traced. */
  public readonly traceSampling?: TraceSampling;
  /** Alarms that roll a deployment back. */
  public readonly rollbackAlarms: readonly cloudwatch.IAlarm[];
  /** The deployment probe, for strategies that use a test listener. */
  public readonly deploymentProbe?: lambda.IFunction;
  /** The tasks' security group connections: data layers let them in through their `allowFrom`. */
  public readonly connections: ec2.Connections;
  /** Protocol of the production listener. */
  public readonly protocol: elbv2.ApplicationProtocol;

  /** The target group a traffic-shifting deployment starts the new revision in ("green"). */
  private readonly alternateTargetGroup?: elbv2.ApplicationTargetGroup;

  constructor(scope: Construct, id: string, props: WebServiceProps) {
    super(scope, id);
    const resolved = resolveWebServiceProps(props);
    throwOnProblems(this, webServiceProblems({ ...resolved, awsApiPeerCount: resolved.awsApiPeers.length }));

    const tasks = createTasks(this, resolved);
    this.cluster = tasks.cluster;
    this.taskDefinition = tasks.taskDefinition;
    this.logGroup = tasks.logGroup;
    this.applicationErrorsFilter = new logs.MetricFilter(this, 'ApplicationErrors', {
      logGroup: tasks.logGroup,
      // Lines that are not JSON (the collector's) never match a JSON pattern.
      filterPattern: logs.FilterPattern.stringValue('$.level', '=', 'error'),
      metricNamespace: resolved.logMetricsNamespace,
      metricName: 'ApplicationErrors',
      metricValue: '1',
      defaultValue: 0,
      unit: cloudwatch.Unit.COUNT,
    });
    if (resolved.tracing) {
      this.traceSampling = new TraceSampling(this, 'TraceSampling', {
        serviceName: resolved.name,
        samplePercent: resolved.traceSamplePercent,
      });
    }

    const loadBalancing = createLoadBalancing(this, resolved);
    this.loadBalancer = loadBalancing.loadBalancer;
    this.listener = loadBalancing.listener;
    this.listenerPort = loadBalancing.listener.port;
    this.protocol = loadBalancing.protocol;
    this.targetGroup = loadBalancing.blue;

    this.rollbackAlarms = createRollbackAlarms(this, resolved, this);
    const running = createService(this, resolved, tasks, deploymentOptions(resolved, this.rollbackAlarms));
    this.service = running.service;
    this.connections = running.connections;

    const shifting = shiftsTraffic(resolved.deploymentStrategy);
    const alternate = shifting ? createAlternateTarget(this, resolved, loadBalancing) : undefined;
    if (alternate === undefined) {
      createFallbackRule(loadBalancing);
    } else {
      // ECS reads both rules when it creates the service (the production rule already through blue).
      this.service.node.addDependency(...alternate.rules);
    }
    this.alternateTargetGroup = alternate?.green;
    this.service
      .loadBalancerTarget({
        containerName: tasks.container.containerName,
        containerPort: resolved.containerPort,
        protocol: ecs.Protocol.TCP,
        alternateTarget: alternate?.alternateTarget,
      })
      .attachToApplicationTargetGroup(this.targetGroup);
    if (shifting) {
      this.deploymentProbe = createDeploymentProbe(this, resolved, this.loadBalancer, this.service);
    }

    configureScaling(this, resolved, {
      cluster: this.cluster,
      service: this.service,
      requestCountPerTask: this.metricRequestCountPerTask(),
    });
  }

  public allowHttpFrom(peer: ec2.IConnectable, description = 'Load balancer client'): void {
    peer.connections.allowTo(this.loadBalancer, ec2.Port.tcp(this.listenerPort), description);
  }

  public metricTarget5xxRate(props?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    const metrics = this.loadBalancer.metrics;
    const options = splitMetricOptions(props, 'unlike', 'Target 5xx rate (%)');
    const sum = { ...options.member, statistic: 'Sum' };
    return new cloudwatch.MathExpression({
      expression: '100 * errors / MAX([errors, requests])',
      usingMetrics: {
        errors: metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, sum),
        requests: metrics.requestCount(sum),
      },
      ...options.expression,
    });
  }

  public metricTargetResponseTimeP95(props?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    return this.loadBalancer.metrics.targetResponseTime({ ...props, statistic: 'p95' });
  }

  public metricTargetResponseTimeP99(props?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    return this.loadBalancer.metrics.targetResponseTime({ ...props, statistic: 'p99' });
  }

  public metricTargetResponseTime(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.loadBalancer.metrics.targetResponseTime({ statistic: 'Average', ...props });
  }

  public metricServerErrorCount(props?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    const metrics = this.loadBalancer.metrics;
    const options = splitMetricOptions(props, 'unlike', 'Server errors (5xx)');
    const sum = { ...options.member, statistic: 'Sum' };
    return new cloudwatch.MathExpression({
      // A period with no 5xx of one kind has no datapoint of it: count it as none.
      expression: 'FILL(target, 0) + FILL(elb, 0)',
      usingMetrics: {
        target: metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, sum),
        elb: metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, sum),
      },
      ...options.expression,
    });
  }

  public metricRequestCount(props?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    return this.loadBalancer.metrics.requestCount({ statistic: 'Sum', ...props });
  }

  public metricRequestCountPerTask(props?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    const options = splitMetricOptions(props, 'unlike', 'Requests per task');
    return new cloudwatch.MathExpression({
      // A service scaled in to nothing still divides by one.
      expression: 'requests / MAX([tasks, 1])',
      usingMetrics: {
        requests: this.loadBalancer.metrics.requestCount({ ...options.member, statistic: 'Sum' }),
        tasks: this.metricRunningTaskCount({ ...options.member, statistic: 'Average' }),
      },
      ...options.expression,
    });
  }

  public metricHealthyHostCount(props?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    return this.sumOverTargetGroups(
      (tg, options) => this.hostCount('HealthyHostCount', tg, options),
      'Healthy hosts',
      props,
    );
  }

  public metricUnhealthyHostCount(props?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    return this.sumOverTargetGroups(
      (tg, options) => this.hostCount('UnHealthyHostCount', tg, options),
      'Unhealthy hosts',
      props,
    );
  }

  /**
   * A target group's host count, dimensioned by the load balancer's and target group's own
   * `...FullName` attributes. aws-cdk-lib's `tg.metrics` cut the load balancer's name out of the
   * listener's ARN with Fn::Split, which CloudFormation does not accept around the Fn::GetStackOutput
   * a dashboard or alarm in another stack reads the ARN through (cfn-lint E1022).
   */
  private hostCount(
    metricName: 'HealthyHostCount' | 'UnHealthyHostCount',
    targetGroup: elbv2.ApplicationTargetGroup,
    options?: cloudwatch.MetricOptions,
  ): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/ApplicationELB',
      metricName,
      dimensionsMap: {
        LoadBalancer: this.loadBalancer.loadBalancerFullName,
        TargetGroup: targetGroup.targetGroupFullName,
      },
      statistic: 'Average',
      ...options,
    });
  }

  public metricRunningTaskCount(props?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    return new cloudwatch.Metric({
      namespace: 'ECS/ContainerInsights',
      metricName: 'RunningTaskCount',
      dimensionsMap: { ClusterName: this.cluster.clusterName, ServiceName: this.service.serviceName },
      statistic: 'Average',
      ...props,
    }).attachTo(this);
  }

  public metricApplicationErrors(props?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    return this.applicationErrorsFilter.metric({ statistic: 'Sum', ...props });
  }

  public metricCpuUtilization(props?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    return this.service.metricCpuUtilization(props);
  }

  public metricMemoryUtilization(props?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    return this.service.metricMemoryUtilization(props);
  }

  /**
   * A target-group metric over every target group the service may serve from: blue alone, or the
   * sum of blue and green, since a blue/green deployment leaves the tasks in either. `props` apply
   * as {@link splitMetricOptions} says for `alike` members, whether there are one or two groups.
   */
  private sumOverTargetGroups(
    metric: (targetGroup: elbv2.ApplicationTargetGroup, options: cloudwatch.MetricOptions) => cloudwatch.Metric,
    label: string,
    props?: cloudwatch.MetricOptions,
  ): cloudwatch.IMetric {
    const options = splitMetricOptions(props, 'alike', label);
    const green = this.alternateTargetGroup;
    if (green === undefined) {
      return metric(this.targetGroup, options.single);
    }
    return new cloudwatch.MathExpression({
      // The target group without tasks may report nothing rather than 0.
      expression: 'FILL(blue, 0) + FILL(green, 0)',
      usingMetrics: {
        blue: metric(this.targetGroup, options.member),
        green: metric(green, options.member),
      },
      ...options.expression,
    });
  }
}
