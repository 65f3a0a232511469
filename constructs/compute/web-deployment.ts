import * as path from 'node:path';
import { Duration, type CfnResource } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ignoreLintChecks } from '../shared/lint';
import { sameAccountServicePrincipal } from '../shared/principals';
import { ServiceRole } from '../shared/service-role';
import { WebDeploymentStrategy } from './web-service-rules';
import { EcsManagedListenerRule, ListenerRuleAlternateTarget, ListenerRuleProvider } from './listener-rules';
import { notFound, type WebLoadBalancing } from './web-load-balancer';
import type { IWebService } from './web-service';
import type { ResolvedWebServiceProps } from './web-service-props';
import type { WebServiceDeploymentOptions } from './web-tasks';

/** Port of the listener that serves only the new revision, for the deployment probe. */
export const TEST_LISTENER_PORT = 9000;

/** Whether `strategy` starts the new revision in a second target group behind a test listener. */
export function shiftsTraffic(strategy: WebDeploymentStrategy): boolean {
  return strategy !== WebDeploymentStrategy.ROLLING;
}

/**
 * Creates the alarms that roll a deployment back, on the service's 5xx rate and p95 latency, under
 * `RollbackAlarms` in `scope` (the web service).
 */
export function createRollbackAlarms(
  scope: Construct,
  props: ResolvedWebServiceProps,
  metrics: Pick<IWebService, 'metricTarget5xxRate' | 'metricTargetResponseTimeP95'>,
): cloudwatch.IAlarm[] {
  const alarms = new Construct(scope, 'RollbackAlarms');
  // Bake times are minutes long: one-minute periods let the alarms fire before the old tasks go.
  const period = Duration.minutes(1);
  const breach = {
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    // No requests during a deployment is no reason to roll it back.
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  };
  return [
    new cloudwatch.Alarm(alarms, 'ErrorRate', {
      alarmDescription: `${props.name}: more than ${props.rollback5xxPercent}% of answers are 5xx from the tasks`,
      metric: metrics.metricTarget5xxRate({ period }),
      threshold: props.rollback5xxPercent,
      ...breach,
    }),
    new cloudwatch.Alarm(alarms, 'Latency', {
      alarmDescription: `${props.name}: p95 target response time above ${props.rollbackLatencyP95Ms} ms`,
      metric: metrics.metricTargetResponseTimeP95({ period }),
      // The metric is in seconds.
      threshold: props.rollbackLatencyP95Ms / 1000,
      ...breach,
    }),
  ];
}

/** How the service replaces revisions: the strategy, its traffic steps, and what rolls it back. */
export function deploymentOptions(
  props: ResolvedWebServiceProps,
  rollbackAlarms: readonly cloudwatch.IAlarm[],
): WebServiceDeploymentOptions {
  const strategy = props.deploymentStrategy;
  const trafficShift = {
    stepPercent: props.trafficShiftPercent,
    stepBakeTime: Duration.minutes(props.trafficShiftIntervalMinutes),
  };
  return {
    deploymentStrategy: ecs.DeploymentStrategy[strategy],
    bakeTime: Duration.minutes(props.bakeTimeMinutes),
    canaryConfiguration: strategy === WebDeploymentStrategy.CANARY ? trafficShift : undefined,
    linearConfiguration: strategy === WebDeploymentStrategy.LINEAR ? trafficShift : undefined,
    minHealthyPercent: 100,
    maxHealthyPercent: 200,
    circuitBreaker: { enable: true, rollback: true },
    deploymentAlarms: {
      alarmNames: rollbackAlarms.map((alarm) => alarm.alarmName),
      behavior: ecs.AlarmBehavior.ROLLBACK_ON_ALARM,
    },
  };
}

/** The second target group of a traffic-shifting deployment and how ECS reaches it. */
export interface WebAlternateTarget {
  /** The target group that receives the new revision ("green"). */
  readonly green: elbv2.ApplicationTargetGroup;
  /** Green, the production and test listener rules, and the role ECS shifts traffic with. */
  readonly alternateTarget: ecs.IAlternateTarget;
  /** The production and test listener rules: the service must wait for both. */
  readonly rules: readonly EcsManagedListenerRule[];
}

/**
 * Creates the green target group, the test listener that forwards to it only, the production and
 * test listener rules ECS shifts (outside CloudFormation's reach, see {@link EcsManagedListenerRule}),
 * and the role ECS moves traffic between the target groups with, as children of `scope` (the web
 * service) and of the load balancer.
 */
export function createAlternateTarget(
  scope: Construct,
  props: ResolvedWebServiceProps,
  loadBalancing: WebLoadBalancing,
): WebAlternateTarget {
  const green = loadBalancing.addTargetGroup('Green');
  const testListener = loadBalancing.loadBalancer.addListener('TestListener', {
    protocol: elbv2.ApplicationProtocol.HTTP,
    port: TEST_LISTENER_PORT,
    open: false,
    defaultAction: notFound(),
  });
  const rules = new Construct(scope, 'ListenerRules');
  const provider = new ListenerRuleProvider(rules, 'Provider', {
    vpc: props.vpc,
    subnets: props.subnets,
    name: props.name,
    loadBalancer: loadBalancing.loadBalancer,
    logEncryptionKey: props.logEncryptionKey,
    logRetention: props.logRetention,
    logRemovalPolicy: props.logRemovalPolicy,
  });
  const productionRule = new EcsManagedListenerRule(rules, 'Production', {
    provider,
    listener: loadBalancing.listener,
    targetGroup: loadBalancing.blue,
  });
  const testRule = new EcsManagedListenerRule(rules, 'Test', { provider, listener: testListener, targetGroup: green });
  const role = new ServiceRole(scope, 'DeploymentRole', {
    description: `${props.name}: lets ECS move traffic between target groups during deployments`,
    assumedBy: sameAccountServicePrincipal(scope, 'ecs.amazonaws.com'),
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonECSInfrastructureRolePolicyForLoadBalancers')],
  });
  const alternateTarget = new ListenerRuleAlternateTarget({
    alternateTargetGroup: green,
    productionListenerRule: productionRule,
    testListenerRule: testRule,
    role,
  });
  return { green, alternateTarget, rules: [productionRule, testRule] };
}

/**
 * Creates the Lambda function that probes a new revision through the test listener, and registers
 * it as the service's post-test-traffic-shift lifecycle hook, under `DeploymentProbe` in `scope`.
 */
export function createDeploymentProbe(
  scope: Construct,
  props: ResolvedWebServiceProps,
  loadBalancer: elbv2.IApplicationLoadBalancer,
  service: ecs.FargateService,
): lambda.IFunction {
  const probe = new Construct(scope, 'DeploymentProbe');
  const securityGroup = new ec2.SecurityGroup(probe, 'SecurityGroup', {
    vpc: props.vpc,
    description: `${props.name} deployment probe: only the test listener`,
    allowAllOutbound: false,
  });
  loadBalancer.connections.allowFrom(securityGroup, ec2.Port.tcp(TEST_LISTENER_PORT), 'Deployment probe');
  const role = new ServiceRole(probe, 'Role', {
    description: `${props.name} deployment probe`,
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole')],
  });
  const logGroup = new logs.LogGroup(probe, 'Logs', {
    encryptionKey: props.logEncryptionKey,
    retention: props.logRetention,
    removalPolicy: props.logRemovalPolicy,
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
      PROBE_URL: `http://${loadBalancer.loadBalancerDnsName}:${TEST_LISTENER_PORT}${props.healthCheckPath}`,
      REQUIRED_SUCCESSES: '3',
      MAX_ATTEMPTS: '20',
      CALLBACK_DELAY_SECONDS: '15',
    },
    bundling: { minify: true, sourceMap: false, target: 'node24', forceDockerBundling: false },
  });
  // aws-cdk-lib makes a function wait for its role (and policy) next to the GetAtt of the role's ARN
  // (cfn-lint W3005): redundant, not wrong, and not ours to change.
  ignoreLintChecks(fn.node.defaultChild as CfnResource, ['W3005']);
  const invokeRole = new ServiceRole(probe, 'InvokeRole', {
    description: `${props.name}: lets ECS invoke the deployment probe`,
    assumedBy: sameAccountServicePrincipal(scope, 'ecs.amazonaws.com'),
    statements: [new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [fn.functionArn] })],
  });
  service.addLifecycleHook(
    new ecs.DeploymentLifecycleLambdaTarget(fn, 'PostTestTrafficShift', {
      lifecycleStages: [ecs.DeploymentLifecycleStage.POST_TEST_TRAFFIC_SHIFT],
      role: invokeRole,
    }),
  );
  // ECS assumes the role at the first deployment's hook: its policy must exist by then.
  service.node.addDependency(invokeRole);
  return fn;
}
