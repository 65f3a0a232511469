import * as path from 'node:path';
import { Duration, RemovalPolicy, Stack, TimeZone } from 'aws-cdk-lib';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ValidationError } from '../shared/errors';
import { sameAccountServicePrincipal } from '../shared/principals';
import { ServiceRole } from '../shared/service-role';
import { fargateSizeProblem } from './fargate-size';

/** How new revisions replace old ones. All use ECS's native deployment controller. */
export enum WebDeploymentStrategy {
  /** Replace tasks in place; the circuit breaker rolls back a revision that fails to start. */
  ROLLING = 'ROLLING',
  /** Start the new revision beside the old, probe it on the test listener, switch all traffic at once. */
  BLUE_GREEN = 'BLUE_GREEN',
  /** Move `trafficShiftPercent` of traffic, wait, then the rest. */
  CANARY = 'CANARY',
  /** Move `trafficShiftPercent` of traffic at every step until all of it has moved. */
  LINEAR = 'LINEAR',
}

/** A scheduled change of the task-count bounds, e.g. a business-hours floor. */
export interface ScheduledCapacity {
  /** Construct ID of the scheduled action, e.g. `BusinessHours`. */
  readonly name: string;
  /** `cron(...)` or `rate(...)` expression, as Application Auto Scaling reads it. */
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
  /** Short lowercase name used in resource names, e.g. `learning-assistant-prod`. */
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
}

const TEST_LISTENER_PORT = 9000;
const SIDECAR_MEMORY_MIB = 256;
const ADOT_IMAGE = 'public.ecr.aws/aws-observability/aws-otel-collector:v0.43.3';

/**
 * The Next.js application on ECS Fargate behind an internal Application Load Balancer.
 *
 * - An ECS cluster with Container Insights (enhanced) and audited ECS Exec.
 * - ARM64 tasks in the application tier, no public IP, read-only root file system with writable
 *   scratch volumes, a non-root user, a container health check, logs to an encrypted group,
 *   secrets injected by ECS; optional ADOT sidecar for X-Ray traces.
 * - An internal load balancer whose security group admits no one until {@link allowHttpFrom};
 *   HTTPS (TLS 1.3 policy) with a certificate, HTTP inside the VPC otherwise; invalid headers dropped,
 *   strictest desync mitigation, access logs, deletion protection.
 * - Autoscaling between bounds on CPU, memory and requests per task, on schedules, and predictively.
 * - ECS native rolling, blue/green, canary or linear deployments with a bake time, rolled back by
 *   the circuit breaker or by alarms on 5xx rate and latency; blue/green, canary and linear probe the
 *   new revision through a test listener with a Lambda lifecycle hook before production traffic moves.
 */
export class WebService extends Construct implements ec2.IConnectable {
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
  /** Target group that serves production traffic first ("blue"). */
  public readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** The application's log group. */
  public readonly logGroup: logs.ILogGroup;
  /** Alarms that roll a deployment back. */
  public readonly rollbackAlarms: readonly cloudwatch.IAlarm[];
  /** The deployment probe, for strategies that use a test listener. */
  public readonly deploymentProbe?: lambda.IFunction;
  /** The tasks' security group connections: data layers let them in through their `allowFrom`. */
  public readonly connections: ec2.Connections;
  /** Protocol of the production listener. */
  public readonly protocol: elbv2.ApplicationProtocol;

  constructor(scope: Construct, id: string, props: WebServiceProps) {
    super(scope, id);
    const containerPort = props.containerPort ?? 3000;
    const healthCheckPath = props.healthCheckPath ?? '/api/health';
    const minTasks = props.minTasks ?? 2;
    const maxTasks = props.maxTasks ?? 4;
    const spotPercent = props.spotPercent ?? 0;
    const strategy = props.deploymentStrategy ?? WebDeploymentStrategy.ROLLING;
    const logRemovalPolicy = props.logRemovalPolicy ?? RemovalPolicy.RETAIN;
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
    this.validate(props, minTasks, maxTasks, spotPercent);

    // --- Cluster with audited ECS Exec ---------------------------------------------------------
    const execLogGroup = new logs.LogGroup(this, 'ExecLogs', {
      encryptionKey: props.logEncryptionKey,
      retention: logRetention,
      removalPolicy: logRemovalPolicy,
    });
    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: props.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENHANCED,
      enableFargateCapacityProviders: true,
      executeCommandConfiguration: {
        // No session key: ECS would grant the whole account kms:* on it. Sessions are TLS-encrypted;
        // their transcripts land in the encrypted log group below.
        logging: ecs.ExecuteCommandLogging.OVERRIDE,
        logConfiguration: { cloudWatchLogGroup: execLogGroup, cloudWatchEncryptionEnabled: true },
      },
    });

    // --- Task definition -----------------------------------------------------------------------
    const taskRole = new ServiceRole(this, 'TaskRole', {
      description: `${props.name} application tasks`,
      assumedBy: sameAccountServicePrincipal(this, 'ecs-tasks.amazonaws.com'),
    });
    const executionRole = new ServiceRole(this, 'ExecutionRole', {
      description: `${props.name} task execution: image pull, logs, secrets`,
      assumedBy: sameAccountServicePrincipal(this, 'ecs-tasks.amazonaws.com'),
    });
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      cpu: props.cpuUnits ?? 512,
      memoryLimitMiB: props.memoryMiB ?? 1024,
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
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      encryptionKey: props.logEncryptionKey,
      retention: logRetention,
      removalPolicy: logRemovalPolicy,
    });
    const container = this.taskDefinition.addContainer('web', {
      image: props.image,
      essential: true,
      // A hard limit per container: the task's memory, less what the tracing sidecar may use.
      memoryLimitMiB: (props.memoryMiB ?? 1024) - (props.tracing === true ? SIDECAR_MEMORY_MIB : 0),
      // The Dockerfile's non-root user; the root file system is read-only.
      user: '1001:1001',
      readonlyRootFilesystem: true,
      portMappings: [{ containerPort, name: 'http', protocol: ecs.Protocol.TCP }],
      environment: {
        PORT: String(containerPort),
        HOSTNAME: '0.0.0.0',
        NODE_ENV: 'production',
        ...(props.tracing === true ? { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4317' } : {}),
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
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'web', logGroup: this.logGroup }),
      stopTimeout: Duration.seconds(30),
    });
    container.addMountPoints(
      { sourceVolume: 'tmp', containerPath: '/tmp', readOnly: false },
      { sourceVolume: 'next-cache', containerPath: '/app/.next/cache', readOnly: false },
      { sourceVolume: 'ssm-agents', containerPath: '/managed-agents', readOnly: false },
      { sourceVolume: 'ssm-state', containerPath: '/var/lib/amazon/ssm', readOnly: false },
      { sourceVolume: 'ssm-logs', containerPath: '/var/log/amazon/ssm', readOnly: false },
    );
    if (props.tracing === true) {
      this.addTracingSidecar(taskRole);
    }

    // --- Load balancer -------------------------------------------------------------------------
    const albSecurityGroup = new ec2.SecurityGroup(this, 'LoadBalancerSecurityGroup', {
      vpc: props.vpc,
      description: `${props.name} internal load balancer: no ingress until a caller is allowed explicitly`,
      allowAllOutbound: false,
    });
    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      internetFacing: false,
      securityGroup: albSecurityGroup,
      dropInvalidHeaderFields: true,
      desyncMitigationMode: elbv2.DesyncMitigationMode.STRICTEST,
      deletionProtection: props.deletionProtection ?? true,
      http2Enabled: true,
    });
    if (props.accessLogsBucket !== undefined) {
      this.loadBalancer.logAccessLogs(props.accessLogsBucket, `alb/${props.name}`);
    }
    this.protocol = props.certificate ? elbv2.ApplicationProtocol.HTTPS : elbv2.ApplicationProtocol.HTTP;
    this.listener = this.loadBalancer.addListener('Listener', {
      protocol: this.protocol,
      port: props.certificate ? 443 : 80,
      certificates: props.certificate ? [props.certificate] : undefined,
      sslPolicy: props.certificate ? elbv2.SslPolicy.RECOMMENDED_TLS : undefined,
      open: false,
      // Only the forwarding rule below serves traffic, so ECS can shift its weights.
      defaultAction: elbv2.ListenerAction.fixedResponse(404, { contentType: 'text/plain', messageBody: 'Not found' }),
    });

    const targetGroups = new Construct(this, 'TargetGroups');
    const targetGroup = (tgId: string) =>
      new elbv2.ApplicationTargetGroup(targetGroups, tgId, {
        vpc: props.vpc,
        port: containerPort,
        protocol: elbv2.ApplicationProtocol.HTTP,
        targetType: elbv2.TargetType.IP,
        deregistrationDelay: Duration.seconds(30),
        healthCheck: {
          path: healthCheckPath,
          healthyHttpCodes: '200',
          interval: Duration.seconds(15),
          healthyThresholdCount: 2,
          unhealthyThresholdCount: 3,
        },
      });
    this.targetGroup = targetGroup('Blue');
    const productionRule = new elbv2.ApplicationListenerRule(this.listener, 'Forward', {
      listener: this.listener,
      priority: 1,
      conditions: [elbv2.ListenerCondition.pathPatterns(['/*'])],
      action: elbv2.ListenerAction.forward([this.targetGroup]),
    });

    // --- Service -------------------------------------------------------------------------------
    const serviceSecurityGroup = new ec2.SecurityGroup(this, 'ServiceSecurityGroup', {
      vpc: props.vpc,
      description: `${props.name} tasks: only the load balancer, on the container port`,
      allowAllOutbound: false,
    });
    // Image layers (S3), ECR, Secrets Manager, CloudWatch Logs and X-Ray are all HTTPS.
    serviceSecurityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'AWS APIs over HTTPS');
    this.connections = serviceSecurityGroup.connections;

    this.rollbackAlarms = this.createRollbackAlarms(props);
    const shifting = strategy !== WebDeploymentStrategy.ROLLING;
    const trafficShift = {
      stepPercent: props.trafficShiftPercent ?? 10,
      stepBakeTime: Duration.minutes(props.trafficShiftIntervalMinutes ?? 5),
    };
    const onDemandBase = props.onDemandBaseTasks ?? (spotPercent === 100 ? 0 : minTasks);
    this.service = new ecs.FargateService(this, 'Service', {
      cluster: this.cluster,
      taskDefinition: this.taskDefinition,
      vpcSubnets: props.subnets,
      securityGroups: [serviceSecurityGroup],
      assignPublicIp: false,
      desiredCount: minTasks,
      enableExecuteCommand: true,
      platformVersion: ecs.FargatePlatformVersion.LATEST,
      capacityProviderStrategies: [
        ...(spotPercent < 100 ? [{ capacityProvider: 'FARGATE', base: onDemandBase, weight: 100 - spotPercent }] : []),
        ...(spotPercent > 0 ? [{ capacityProvider: 'FARGATE_SPOT', weight: spotPercent }] : []),
      ],
      deploymentStrategy: ecs.DeploymentStrategy[strategy],
      bakeTime: Duration.minutes(props.bakeTimeMinutes ?? 10),
      canaryConfiguration: strategy === WebDeploymentStrategy.CANARY ? trafficShift : undefined,
      linearConfiguration: strategy === WebDeploymentStrategy.LINEAR ? trafficShift : undefined,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      deploymentAlarms: {
        alarmNames: this.rollbackAlarms.map((alarm) => alarm.alarmName),
        behavior: ecs.AlarmBehavior.ROLLBACK_ON_ALARM,
      },
      propagateTags: ecs.PropagatedTagSource.SERVICE,
      healthCheckGracePeriod: Duration.seconds(60),
    });

    const target = this.service.loadBalancerTarget({
      containerName: container.containerName,
      containerPort,
      protocol: ecs.Protocol.TCP,
      alternateTarget: shifting ? this.createAlternateTarget(props, productionRule, targetGroup) : undefined,
    });
    target.attachToApplicationTargetGroup(this.targetGroup);
    if (shifting) {
      this.deploymentProbe = this.createDeploymentProbe(props, logRetention, logRemovalPolicy);
    }

    this.configureScaling(props, minTasks, maxTasks);
  }

  /**
   * Lets `peer` reach the production listener (e.g. the CDN's VPC origin). The rules are created
   * from the peer's side, so they live in the peer's stack.
   */
  public allowHttpFrom(peer: ec2.IConnectable, description = 'Load balancer client'): void {
    peer.connections.allowTo(this.loadBalancer, ec2.Port.tcp(this.listener.port), description);
  }

  private validate(props: WebServiceProps, minTasks: number, maxTasks: number, spotPercent: number): void {
    const cpu = props.cpuUnits ?? 512;
    const memory = props.memoryMiB ?? 1024;
    const sizeProblem = fargateSizeProblem(cpu, memory);
    if (sizeProblem !== undefined) {
      throw new ValidationError(this, `cpuUnits ${cpu} / memoryMiB ${memory}: ${sizeProblem}`);
    }
    if (!Number.isInteger(minTasks) || minTasks < 1 || maxTasks < minTasks) {
      throw new ValidationError(this, `minTasks ${minTasks} and maxTasks ${maxTasks}: need 1 <= minTasks <= maxTasks`);
    }
    if (spotPercent < 0 || spotPercent > 100) {
      throw new ValidationError(this, `spotPercent is ${spotPercent}; give 0 to 100`);
    }
    const step = props.trafficShiftPercent ?? 10;
    if (step <= 0 || step > 100) {
      throw new ValidationError(this, `trafficShiftPercent is ${step}; give more than 0 and at most 100`);
    }
    for (const scheduled of props.scheduledCapacity ?? []) {
      if (!/^(cron|rate|at)\(.+\)$/.test(scheduled.schedule)) {
        throw new ValidationError(
          this,
          `scheduledCapacity "${scheduled.name}" has schedule "${scheduled.schedule}"; use cron(...), rate(...) or at(...)`,
        );
      }
    }
  }

  private addTracingSidecar(taskRole: iam.IRole): void {
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
    this.taskDefinition.addContainer('otel-collector', {
      image: ecs.ContainerImage.fromRegistry(ADOT_IMAGE),
      essential: false,
      user: '10001',
      readonlyRootFilesystem: true,
      command: ['--config=/etc/ecs/ecs-xray.yaml'],
      memoryReservationMiB: 64,
      memoryLimitMiB: SIDECAR_MEMORY_MIB,
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'otel', logGroup: this.logGroup }),
    });
  }

  private createRollbackAlarms(props: WebServiceProps): cloudwatch.IAlarm[] {
    const alarms = new Construct(this, 'RollbackAlarms');
    const metrics = () => this.loadBalancer.metrics;
    const errorRate = new cloudwatch.MathExpression({
      expression: '100 * errors / MAX([errors, requests])',
      usingMetrics: {
        errors: metrics().httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { statistic: 'Sum' }),
        requests: metrics().requestCount({ statistic: 'Sum' }),
      },
      period: Duration.minutes(1),
      label: 'Target 5xx rate (%)',
    });
    return [
      new cloudwatch.Alarm(alarms, 'ErrorRate', {
        alarmDescription: `${props.name}: more than ${props.rollback5xxPercent ?? 5}% of answers are 5xx from the tasks`,
        metric: errorRate,
        threshold: props.rollback5xxPercent ?? 5,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      new cloudwatch.Alarm(alarms, 'Latency', {
        alarmDescription: `${props.name}: p95 target response time above ${props.rollbackLatencyP95Ms ?? 2000} ms`,
        metric: metrics().targetResponseTime({ statistic: 'p95', period: Duration.minutes(1) }),
        threshold: (props.rollbackLatencyP95Ms ?? 2000) / 1000,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    ];
  }

  private createAlternateTarget(
    props: WebServiceProps,
    productionRule: elbv2.ApplicationListenerRule,
    targetGroup: (id: string) => elbv2.ApplicationTargetGroup,
  ): ecs.AlternateTarget {
    const green = targetGroup('Green');
    const testListener = this.loadBalancer.addListener('TestListener', {
      protocol: elbv2.ApplicationProtocol.HTTP,
      port: TEST_LISTENER_PORT,
      open: false,
      defaultAction: elbv2.ListenerAction.fixedResponse(404, { contentType: 'text/plain', messageBody: 'Not found' }),
    });
    const testRule = new elbv2.ApplicationListenerRule(testListener, 'Forward', {
      listener: testListener,
      priority: 1,
      conditions: [elbv2.ListenerCondition.pathPatterns(['/*'])],
      action: elbv2.ListenerAction.forward([green]),
    });
    const role = new ServiceRole(this, 'DeploymentRole', {
      description: `${props.name}: lets ECS move traffic between target groups during deployments`,
      assumedBy: sameAccountServicePrincipal(this, 'ecs.amazonaws.com'),
      managedPolicies: [
        iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonECSInfrastructureRolePolicyForLoadBalancers'),
      ],
    });
    return new ecs.AlternateTarget('AlternateTarget', {
      alternateTargetGroup: green,
      productionListener: ecs.ListenerRuleConfiguration.applicationListenerRule(productionRule),
      testListener: ecs.ListenerRuleConfiguration.applicationListenerRule(testRule),
      role,
    });
  }

  private createDeploymentProbe(
    props: WebServiceProps,
    logRetention: logs.RetentionDays,
    logRemovalPolicy: RemovalPolicy,
  ): lambda.IFunction {
    const probe = new Construct(this, 'DeploymentProbe');
    const securityGroup = new ec2.SecurityGroup(probe, 'SecurityGroup', {
      vpc: props.vpc,
      description: `${props.name} deployment probe: only the test listener`,
      allowAllOutbound: false,
    });
    this.loadBalancer.connections.allowFrom(securityGroup, ec2.Port.tcp(TEST_LISTENER_PORT), 'Deployment probe');
    const role = new ServiceRole(probe, 'Role', {
      description: `${props.name} deployment probe`,
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole')],
    });
    const logGroup = new logs.LogGroup(probe, 'Logs', {
      encryptionKey: props.logEncryptionKey,
      retention: logRetention,
      removalPolicy: logRemovalPolicy,
    });
    const fn = new nodejs.NodejsFunction(probe, 'Function', {
      description: `${props.name}: probes a new revision through the test listener before production traffic moves`,
      entry: path.join(__dirname, 'lambda', 'deployment-probe.ts'),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.minutes(1),
      role,
      logGroup,
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroups: [securityGroup],
      environment: {
        PROBE_URL: `http://${this.loadBalancer.loadBalancerDnsName}:${TEST_LISTENER_PORT}${props.healthCheckPath ?? '/api/health'}`,
        REQUIRED_SUCCESSES: '3',
        MAX_ATTEMPTS: '20',
        CALLBACK_DELAY_SECONDS: '15',
      },
      bundling: { minify: true, sourceMap: false, target: 'node24', forceDockerBundling: false },
    });
    const invokeRole = new ServiceRole(probe, 'InvokeRole', {
      description: `${props.name}: lets ECS invoke the deployment probe`,
      assumedBy: sameAccountServicePrincipal(this, 'ecs.amazonaws.com'),
      statements: [new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [fn.functionArn] })],
    });
    this.service.addLifecycleHook(
      new ecs.DeploymentLifecycleLambdaTarget(fn, 'PostTestTrafficShift', {
        lifecycleStages: [ecs.DeploymentLifecycleStage.POST_TEST_TRAFFIC_SHIFT],
        role: invokeRole,
      }),
    );
    return fn;
  }

  private configureScaling(props: WebServiceProps, minTasks: number, maxTasks: number): void {
    const scaling = new appscaling.ScalableTarget(this, 'Scaling', {
      serviceNamespace: appscaling.ServiceNamespace.ECS,
      scalableDimension: 'ecs:service:DesiredCount',
      resourceId: `service/${this.cluster.clusterName}/${this.service.serviceName}`,
      minCapacity: minTasks,
      maxCapacity: maxTasks,
      // The service-linked role Application Auto Scaling creates for ECS, as autoScaleTaskCount uses.
      role: iam.Role.fromRoleArn(
        this,
        'ScalingRole',
        Stack.of(this).formatArn({
          service: 'iam',
          region: '',
          resource: 'role/aws-service-role/ecs.application-autoscaling.amazonaws.com',
          resourceName: 'AWSServiceRoleForApplicationAutoScaling_ECSService',
        }),
      ),
    });
    scaling.scaleToTrackMetric('Cpu', {
      predefinedMetric: appscaling.PredefinedMetric.ECS_SERVICE_AVERAGE_CPU_UTILIZATION,
      targetValue: props.cpuTargetPercent ?? 60,
    });
    scaling.scaleToTrackMetric('Memory', {
      predefinedMetric: appscaling.PredefinedMetric.ECS_SERVICE_AVERAGE_MEMORY_UTILIZATION,
      targetValue: props.memoryTargetPercent ?? 70,
    });
    // Requests per task across the whole load balancer: a per-target-group metric would follow
    // only one of the two target groups that blue/green deployments alternate between.
    new appscaling.CfnScalingPolicy(scaling, 'Requests', {
      policyName: `${Stack.of(this).stackName}-${props.name}-requests`,
      policyType: 'TargetTrackingScaling',
      scalingTargetId: scaling.scalableTargetId,
      targetTrackingScalingPolicyConfiguration: {
        targetValue: props.requestsPerTaskPerMinute ?? 1000,
        customizedMetricSpecification: {
          metrics: [
            {
              id: 'requests',
              returnData: false,
              metricStat: {
                stat: 'Sum',
                metric: {
                  namespace: 'AWS/ApplicationELB',
                  metricName: 'RequestCount',
                  dimensions: [{ name: 'LoadBalancer', value: this.loadBalancer.loadBalancerFullName }],
                },
              },
            },
            {
              id: 'tasks',
              returnData: false,
              metricStat: {
                stat: 'Average',
                metric: {
                  namespace: 'ECS/ContainerInsights',
                  metricName: 'RunningTaskCount',
                  dimensions: [
                    { name: 'ClusterName', value: this.cluster.clusterName },
                    { name: 'ServiceName', value: this.service.serviceName },
                  ],
                },
              },
            },
            { id: 'perTask', expression: 'requests / MAX([tasks, 1])', label: 'Requests per task', returnData: true },
          ],
        },
        scaleInCooldown: 300,
        scaleOutCooldown: 60,
      },
    });
    for (const scheduled of props.scheduledCapacity ?? []) {
      scaling.scaleOnSchedule(scheduled.name, {
        schedule: appscaling.Schedule.expression(scheduled.schedule),
        timeZone: TimeZone.of(scheduled.timeZone),
        minCapacity: scheduled.minTasks,
        maxCapacity: scheduled.maxTasks,
      });
    }
    if (props.predictiveScaling === true) {
      new appscaling.CfnScalingPolicy(scaling, 'Predictive', {
        policyName: `${Stack.of(this).stackName}-${props.name}-predictive`,
        policyType: 'PredictiveScaling',
        scalingTargetId: scaling.scalableTargetId,
        predictiveScalingPolicyConfiguration: {
          mode: 'ForecastAndScale',
          schedulingBufferTime: 300,
          maxCapacityBreachBehavior: 'HonorMaxCapacity',
          metricSpecifications: [
            {
              targetValue: props.cpuTargetPercent ?? 60,
              predefinedMetricPairSpecification: { predefinedMetricType: 'ECSServiceCPUUtilization' },
            },
          ],
        },
      });
    }
  }
}
