import { RemovalPolicy } from 'aws-cdk-lib';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { WebDeploymentStrategy } from './web-service-rules';

/** A scheduled change of the task-count bounds, e.g. a business-hours floor. */
export interface ScheduledCapacity {
  /** Construct ID of the scheduled action, e.g. `BusinessHours`. */
  readonly name: string;
  /** `cron(...)`, `rate(...)` or `at(...)` expression, as Application Auto Scaling reads it. */
  readonly schedule: string;
  /** IANA time zone of the schedule, e.g. `Europe/Berlin`. */
  readonly timeZone: string;
  /** Lower bound from then on. */
  readonly minTasks: number;
  /**
   * Upper bound from then on.
   *
   * @default - unchanged
   */
  readonly maxTasks?: number;
}

/** Properties of a {@link WebService}. */
export interface WebServiceProps {
  /** The VPC. */
  readonly vpc: ec2.IVpc;
  /** Subnets of the tasks and the internal load balancer: the private application tier. */
  readonly subnets: ec2.SubnetSelection;
  /** The application image. */
  readonly image: ecs.ContainerImage;
  /** Short lowercase name used in resource names, e.g. `shop-prod`. */
  readonly name: string;

  /**
   * Task CPU, in Fargate units (1024 = 1 vCPU).
   *
   * @default 512
   */
  readonly cpuUnits?: number;
  /**
   * Task memory, in MiB; must fit the CPU size.
   *
   * @default 1024
   */
  readonly memoryMiB?: number;
  /**
   * Port the container listens on.
   *
   * @default 3000
   */
  readonly containerPort?: number;
  /**
   * Path that answers 200 with `{"status":"ok"}` when the task can serve.
   *
   * @default '/api/health'
   */
  readonly healthCheckPath?: string;
  /**
   * Plain configuration for the container: host names, ports, bucket names. Never secrets.
   *
   * @default - none
   */
  readonly environment?: Record<string, string>;
  /**
   * Secrets injected by ECS from Secrets Manager at task start; never in the template.
   *
   * @default - none
   */
  readonly secrets?: Record<string, ecs.Secret>;

  /** Encrypts the application and ECS Exec log groups and ECS Exec sessions; must allow CloudWatch Logs. */
  readonly logEncryptionKey: kms.IKey;
  /**
   * Retention of the application and ECS Exec logs.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What happens to the log groups when they leave the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;

  /**
   * Lower bound of the task count.
   *
   * @default 2
   */
  readonly minTasks?: number;
  /**
   * Upper bound of the task count.
   *
   * @default 4
   */
  readonly maxTasks?: number;
  /**
   * Share of tasks (by weight) on Fargate Spot, 0 to 100. 100 runs everything on Spot.
   *
   * @default 0
   */
  readonly spotPercent?: number;
  /**
   * Tasks always on on-demand Fargate before weights apply.
   *
   * @default - `minTasks` when some tasks run on demand, 0 when all run on Spot
   */
  readonly onDemandBaseTasks?: number;
  /**
   * Target average CPU utilization, in percent.
   *
   * @default 60
   */
  readonly cpuTargetPercent?: number;
  /**
   * Target average memory utilization, in percent.
   *
   * @default 70
   */
  readonly memoryTargetPercent?: number;
  /**
   * Target load-balancer requests per task per minute.
   *
   * @default 1000
   */
  readonly requestsPerTaskPerMinute?: number;
  /**
   * Scheduled changes of the bounds.
   *
   * @default - none
   */
  readonly scheduledCapacity?: ScheduledCapacity[];
  /**
   * Predictive scaling on CPU, learning from the service's history (forecast and scale).
   *
   * @default false
   */
  readonly predictiveScaling?: boolean;

  /**
   * How new revisions replace old ones.
   *
   * @default WebDeploymentStrategy.ROLLING
   */
  readonly deploymentStrategy?: WebDeploymentStrategy;
  /**
   * Percentage of traffic moved per step (canary: the first step; linear: every step).
   *
   * @default 10
   */
  readonly trafficShiftPercent?: number;
  /**
   * Minutes between traffic steps.
   *
   * @default 5
   */
  readonly trafficShiftIntervalMinutes?: number;
  /**
   * Minutes the new revision serves all traffic before the old one is removed.
   *
   * @default 10
   */
  readonly bakeTimeMinutes?: number;
  /**
   * A deployment rolls back when the share of 5xx answers from the tasks exceeds this, in percent.
   *
   * @default 5
   */
  readonly rollback5xxPercent?: number;
  /**
   * A deployment rolls back when the p95 target response time exceeds this, in milliseconds.
   *
   * @default 2000
   */
  readonly rollbackLatencyP95Ms?: number;

  /**
   * Serve HTTPS with this certificate (TLS 1.3 policy); without one the listener speaks HTTP
   * inside the VPC.
   *
   * @default - HTTP
   */
  readonly certificate?: acm.ICertificate;
  /**
   * Bucket receiving the load balancer's access logs (SSE-S3).
   *
   * @default - no access logs
   */
  readonly accessLogsBucket?: s3.IBucket;
  /**
   * Refuse deletion of the load balancer.
   *
   * @default true
   */
  readonly deletionProtection?: boolean;
  /**
   * An OpenTelemetry (ADOT) collector sidecar that sends traces to X-Ray; the application exports
   * OTLP to `localhost:4317`.
   *
   * @default false
   */
  readonly tracing?: boolean;
  /**
   * With `tracing`: share of requests traced beyond one a second, in percent (X-Ray sampling rules
   * the tracer fetches through the sidecar; health checks are never traced).
   *
   * @default 5
   */
  readonly traceSamplePercent?: number;
  /**
   * CloudWatch namespace of the metrics computed from the application's logs (`ApplicationErrors`:
   * log lines whose JSON `level` is `error`).
   *
   * @default - `WebService/<name>`
   */
  readonly logMetricsNamespace?: string;

  /**
   * Where the tasks reach AWS APIs (ECR, CloudWatch Logs, Secrets Manager, ECS Exec's
   * `ssmmessages`, X-Ray) and S3 (ECR image layers, buckets) without the internet: interface
   * endpoints' security groups and the S3 gateway's prefix list, e.g.
   * `INetwork.privateAwsApiPeers(...)`. The tasks' security group allows HTTPS to each; a
   * prefix list counts as its number of entries against the group's rule quota (60).
   *
   * @default - none: the tasks reach AWS APIs through NAT, over the internet
   */
  readonly awsApiPeers?: ec2.IPeer[];
  /**
   * HTTPS (443) from the tasks to any IPv4 address, through NAT: for an application that calls
   * APIs outside AWS, or tasks without `awsApiPeers`, whose AWS API calls leave that way. Without
   * it, the tracing sidecar's image, which lives in ECR Public on the internet, is copied into this
   * account's CDK asset repository at deploy time (`cdk deploy` builds it, so needs Docker).
   *
   * @default - `true` without `awsApiPeers`, `false` with them
   */
  readonly internetEgress?: boolean;
}

/** Props without a default: they stay optional after {@link resolveWebServiceProps}. */
type WithoutDefault = 'secrets' | 'certificate' | 'accessLogsBucket';

/**
 * {@link WebServiceProps} with every default applied, resolved once by
 * {@link resolveWebServiceProps} so the parts of the service cannot disagree about one.
 */
export type ResolvedWebServiceProps = Readonly<Required<Omit<WebServiceProps, WithoutDefault | 'scheduledCapacity'>>> &
  Readonly<Pick<WebServiceProps, WithoutDefault>> & {
    readonly scheduledCapacity: readonly ScheduledCapacity[];
  };

/** `props` with the documented defaults filled in. */
export function resolveWebServiceProps(props: WebServiceProps): ResolvedWebServiceProps {
  const minTasks = props.minTasks ?? 2;
  const spotPercent = props.spotPercent ?? 0;
  return Object.freeze({
    ...props,
    cpuUnits: props.cpuUnits ?? 512,
    memoryMiB: props.memoryMiB ?? 1024,
    containerPort: props.containerPort ?? 3000,
    healthCheckPath: props.healthCheckPath ?? '/api/health',
    environment: props.environment ?? {},
    logRetention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
    logRemovalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    minTasks,
    maxTasks: props.maxTasks ?? 4,
    spotPercent,
    // Spot-only services have no on-demand tasks to keep a base of.
    onDemandBaseTasks: props.onDemandBaseTasks ?? (spotPercent === 100 ? 0 : minTasks),
    cpuTargetPercent: props.cpuTargetPercent ?? 60,
    memoryTargetPercent: props.memoryTargetPercent ?? 70,
    requestsPerTaskPerMinute: props.requestsPerTaskPerMinute ?? 1000,
    scheduledCapacity: props.scheduledCapacity ?? [],
    predictiveScaling: props.predictiveScaling ?? false,
    deploymentStrategy: props.deploymentStrategy ?? WebDeploymentStrategy.ROLLING,
    trafficShiftPercent: props.trafficShiftPercent ?? 10,
    trafficShiftIntervalMinutes: props.trafficShiftIntervalMinutes ?? 5,
    bakeTimeMinutes: props.bakeTimeMinutes ?? 10,
    rollback5xxPercent: props.rollback5xxPercent ?? 5,
    rollbackLatencyP95Ms: props.rollbackLatencyP95Ms ?? 2000,
    deletionProtection: props.deletionProtection ?? true,
    tracing: props.tracing ?? false,
    traceSamplePercent: props.traceSamplePercent ?? 5,
    logMetricsNamespace: props.logMetricsNamespace ?? `WebService/${props.name}`,
    awsApiPeers: props.awsApiPeers ?? [],
    internetEgress: props.internetEgress ?? (props.awsApiPeers ?? []).length === 0,
  });
}
