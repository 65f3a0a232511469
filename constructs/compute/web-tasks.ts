import * as path from 'node:path';
import { Duration, type CfnResource } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { ignoreLintChecks } from '../shared/lint';
import { sameAccountServicePrincipal } from '../shared/principals';
import { ServiceRole } from '../shared/service-role';
import type { ResolvedWebServiceProps } from './web-service-props';

const SIDECAR_MEMORY_MIB = 256;
const ADOT_IMAGE = 'public.ecr.aws/aws-observability/aws-otel-collector:v0.43.3';
/** A Dockerfile that is `FROM` its `IMAGE` build argument: copies an image into the CDK asset repository. */
const IMAGE_MIRROR_DIRECTORY = path.join(__dirname, 'image-mirror');
const HTTPS = ec2.Port.tcp(443);

/** What runs the application: the cluster, the task definition and its application container. */
export interface WebTasks {
  /** The ECS cluster, with audited ECS Exec. */
  readonly cluster: ecs.Cluster;
  /** The task definition. */
  readonly taskDefinition: ecs.FargateTaskDefinition;
  /** The application container, the load balancer's target. */
  readonly container: ecs.ContainerDefinition;
  /** The application's log group. */
  readonly logGroup: logs.ILogGroup;
}

/**
 * Creates the cluster and the task definition (application container, optional tracing sidecar) as
 * children of `scope` (the web service), under the IDs they have always had.
 */
export function createTasks(scope: Construct, props: ResolvedWebServiceProps): WebTasks {
  const logGroupProps: logs.LogGroupProps = {
    encryptionKey: props.logEncryptionKey,
    retention: props.logRetention,
    removalPolicy: props.logRemovalPolicy,
  };
  const execLogGroup = new logs.LogGroup(scope, 'ExecLogs', logGroupProps);
  // Container Insights writes its performance events to a group named after the cluster, which
  // ECS would create itself (unencrypted, with its own retention) on the first event: the cluster
  // gets a fixed name so the group can be made first, and waits for it.
  const insightsLogGroup = new logs.LogGroup(scope, 'ContainerInsightsLogs', {
    ...logGroupProps,
    logGroupName: `/aws/ecs/containerinsights/${props.name}/performance`,
  });
  const cluster = new ecs.Cluster(scope, 'Cluster', {
    clusterName: props.name,
    vpc: props.vpc,
    containerInsightsV2: ecs.ContainerInsights.ENHANCED,
    enableFargateCapacityProviders: true,
    executeCommandConfiguration: {
      // No session key: ECS would grant the whole account kms:* on it. Sessions are TLS-encrypted;
      // their transcripts land in the encrypted log group.
      logging: ecs.ExecuteCommandLogging.OVERRIDE,
      logConfiguration: { cloudWatchLogGroup: execLogGroup, cloudWatchEncryptionEnabled: true },
    },
  });

  cluster.node.addDependency(insightsLogGroup);

  const taskRole = new ServiceRole(scope, 'TaskRole', {
    description: `${props.name} application tasks`,
    assumedBy: sameAccountServicePrincipal(scope, 'ecs-tasks.amazonaws.com'),
  });
  const executionRole = new ServiceRole(scope, 'ExecutionRole', {
    description: `${props.name} task execution: image pull, logs, secrets`,
    assumedBy: sameAccountServicePrincipal(scope, 'ecs-tasks.amazonaws.com'),
  });
  const taskDefinition = new ecs.FargateTaskDefinition(scope, 'TaskDefinition', {
    cpu: props.cpuUnits,
    memoryLimitMiB: props.memoryMiB,
    runtimePlatform: {
      cpuArchitecture: ecs.CpuArchitecture.ARM64,
      operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
    },
    taskRole,
    executionRole,
    volumes: [
      { name: 'tmp' },
      { name: 'next-cache' },
      // The ECS Exec (SSM) agent writes here; the root file system is read-only.
      { name: 'ssm-agents' },
      { name: 'ssm-state' },
      { name: 'ssm-logs' },
    ],
  });
  const logGroup = new logs.LogGroup(scope, 'Logs', logGroupProps);
  const { containerPort, healthCheckPath } = props;
  const container = taskDefinition.addContainer('web', {
    image: props.image,
    essential: true,
    // A hard limit per container: the task's memory, less what the tracing sidecar may use.
    memoryLimitMiB: props.memoryMiB - (props.tracing ? SIDECAR_MEMORY_MIB : 0),
    // The Dockerfile's non-root user; the root file system is read-only.
    user: '1001:1001',
    readonlyRootFilesystem: true,
    portMappings: [{ containerPort, name: 'http', protocol: ecs.Protocol.TCP }],
    environment: {
      PORT: String(containerPort),
      HOSTNAME: '0.0.0.0',
      NODE_ENV: 'production',
      // The service name is what the X-Ray sampling rules match (see TraceSampling).
      ...(props.tracing ? { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4317', OTEL_SERVICE_NAME: props.name } : {}),
      ...props.environment,
    },
    secrets: props.secrets,
    healthCheck: {
      // The image has node but no curl: ask the app itself.
      command: [
        'CMD',
        'node',
        '-e',
        `fetch('http://127.0.0.1:${containerPort}${healthCheckPath}?probe=liveness').then((r) => process.exit(r.ok ? 0 : 1)).catch(() => process.exit(1))`,
      ],
      interval: Duration.seconds(15),
      timeout: Duration.seconds(5),
      retries: 3,
      startPeriod: Duration.seconds(30),
    },
    logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'web', logGroup }),
    stopTimeout: Duration.seconds(30),
  });
  container.addMountPoints(
    { sourceVolume: 'tmp', containerPath: '/tmp', readOnly: false },
    { sourceVolume: 'next-cache', containerPath: '/app/.next/cache', readOnly: false },
    { sourceVolume: 'ssm-agents', containerPath: '/managed-agents', readOnly: false },
    { sourceVolume: 'ssm-state', containerPath: '/var/lib/amazon/ssm', readOnly: false },
    { sourceVolume: 'ssm-logs', containerPath: '/var/log/amazon/ssm', readOnly: false },
  );
  if (props.tracing) {
    addTracingSidecar(taskDefinition, taskRole, logGroup, collectorImage(props));
  }
  return { cluster, taskDefinition, container, logGroup };
}

/**
 * ECR Public is on the internet (outside any VPC endpoint), and Fargate pulls every image of a task
 * before it starts any container, the non-essential sidecar's too: tasks without internet egress
 * would never start. For them the image is copied at deploy time into this account's CDK asset
 * repository, which the ECR endpoints and the S3 gateway (image layers) reach.
 */
function collectorImage(props: ResolvedWebServiceProps): ecs.ContainerImage {
  return props.internetEgress
    ? ecs.ContainerImage.fromRegistry(ADOT_IMAGE)
    : ecs.ContainerImage.fromAsset(IMAGE_MIRROR_DIRECTORY, {
        buildArgs: { IMAGE: ADOT_IMAGE },
        platform: Platform.LINUX_ARM64,
      });
}

/**
 * The collector's configuration: ADOT's `ecs-xray.yaml` (OTLP in, X-Ray out) plus the `awsproxy`
 * extension, which serves X-Ray's sampling API on localhost:2000 so the application's X-Ray remote
 * sampler follows the sampling rules (see TraceSampling); the stock file runs no such proxy, and
 * the tracer would fall back to a fixed rate, health checks included. ADOT reads the whole file from
 * `AOT_CONFIG_CONTENT`, so no image or file has to change.
 */
export const COLLECTOR_CONFIG = [
  'extensions:',
  '  health_check:',
  '  awsproxy:',
  '    endpoint: 0.0.0.0:2000',
  'receivers:',
  '  otlp:',
  '    protocols:',
  '      grpc:',
  '        endpoint: 0.0.0.0:4317',
  '      http:',
  '        endpoint: 0.0.0.0:4318',
  'processors:',
  '  resourcedetection:',
  '    detectors: [env, ecs]',
  '  batch/traces:',
  '    timeout: 1s',
  '    send_batch_size: 50',
  'exporters:',
  '  awsxray:',
  'service:',
  '  extensions: [health_check, awsproxy]',
  '  pipelines:',
  '    traces:',
  '      receivers: [otlp]',
  '      processors: [resourcedetection, batch/traces]',
  '      exporters: [awsxray]',
  '',
].join('\n');

/** An ADOT collector that receives OTLP from the application on localhost and sends X-Ray traces. */
function addTracingSidecar(
  taskDefinition: ecs.FargateTaskDefinition,
  taskRole: iam.IRole,
  logGroup: logs.ILogGroup,
  image: ecs.ContainerImage,
): void {
  taskRole.addToPrincipalPolicy(
    new iam.PolicyStatement({
      // X-Ray's write APIs have no resource-level permissions.
      actions: [
        'xray:PutTraceSegments',
        'xray:PutTelemetryRecords',
        'xray:GetSamplingRules',
        'xray:GetSamplingTargets',
      ],
      resources: ['*'],
    }),
  );
  taskDefinition.addContainer('otel-collector', {
    image,
    essential: false,
    user: '10001',
    readonlyRootFilesystem: true,
    environment: { AOT_CONFIG_CONTENT: COLLECTOR_CONFIG },
    memoryReservationMiB: 64,
    memoryLimitMiB: SIDECAR_MEMORY_MIB,
    logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'otel', logGroup }),
  });
}

/** How the service deploys; resolved by the deployment part, applied when the service is created. */
export type WebServiceDeploymentOptions = Pick<
  ecs.FargateServiceProps,
  | 'deploymentStrategy'
  | 'bakeTime'
  | 'canaryConfiguration'
  | 'linearConfiguration'
  | 'minHealthyPercent'
  | 'maxHealthyPercent'
  | 'circuitBreaker'
  | 'deploymentAlarms'
>;

/** The running service and the connections of its tasks. */
export interface WebRunningService {
  /** The Fargate service. */
  readonly service: ecs.FargateService;
  /** The tasks' security group, which admits no one until the load balancer or a data layer opens it. */
  readonly connections: ec2.Connections;
}

/** Creates the tasks' security group and the Fargate service as children of `scope` (the web service). */
export function createService(
  scope: Construct,
  props: ResolvedWebServiceProps,
  tasks: WebTasks,
  deployment: WebServiceDeploymentOptions,
): WebRunningService {
  const securityGroup = new ec2.SecurityGroup(scope, 'ServiceSecurityGroup', {
    vpc: props.vpc,
    description: `${props.name} tasks: only the load balancer, on the container port`,
    allowAllOutbound: false,
  });
  // Image layers (S3), ECR, Secrets Manager, CloudWatch Logs, ECS Exec and X-Ray are all HTTPS.
  // Fargate pulls images, writes logs and reads secrets through the task's own network interface,
  // so this group must reach them too.
  for (const peer of props.awsApiPeers) {
    securityGroup.addEgressRule(peer, HTTPS, 'AWS APIs over HTTPS, through VPC endpoints');
  }
  if (props.internetEgress) {
    const reason = props.awsApiPeers.length > 0 ? 'External APIs over HTTPS' : 'AWS APIs over HTTPS';
    securityGroup.addEgressRule(ec2.Peer.anyIpv4(), HTTPS, reason);
  }
  const { spotPercent } = props;
  const service = new ecs.FargateService(scope, 'Service', {
    cluster: tasks.cluster,
    taskDefinition: tasks.taskDefinition,
    vpcSubnets: props.subnets,
    securityGroups: [securityGroup],
    assignPublicIp: false,
    desiredCount: props.minTasks,
    enableExecuteCommand: true,
    platformVersion: ecs.FargatePlatformVersion.LATEST,
    capacityProviderStrategies: [
      ...(spotPercent < 100
        ? [{ capacityProvider: 'FARGATE', base: props.onDemandBaseTasks, weight: 100 - spotPercent }]
        : []),
      ...(spotPercent > 0 ? [{ capacityProvider: 'FARGATE_SPOT', weight: spotPercent }] : []),
    ],
    ...deployment,
    propagateTags: ecs.PropagatedTagSource.SERVICE,
    healthCheckGracePeriod: Duration.seconds(60),
  });
  // The service references the cluster, not the cluster's capacity-provider association (added by
  // an aspect), so a first create can start the service first and fail: "capacity provider not
  // associated with the cluster" (aws/containers-roadmap#631). It also names the execution role,
  // whose permissions sit in a separate managed policy: wait for both, so the first tasks can pull
  // images and read secrets.
  service.node.addDependency(tasks.cluster, tasks.taskDefinition.obtainExecutionRole());
  // Some of these edges repeat a Ref or GetAtt (cfn-lint W3005); they are kept whole on purpose.
  ignoreLintChecks(service.node.defaultChild as CfnResource, ['W3005']);
  return { service, connections: securityGroup.connections };
}
