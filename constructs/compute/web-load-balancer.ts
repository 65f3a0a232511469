import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { FALLBACK_RULE_PRIORITY } from './listener-rules';
import type { ResolvedWebServiceProps } from './web-service-props';

/** The internal load balancer of a web service, its production listener and its target groups. */
export interface WebLoadBalancing {
  /** The internal load balancer. */
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** The production listener (443 with a certificate, 80 without). */
  readonly listener: elbv2.ApplicationListener;
  /** Protocol of the production listener. */
  readonly protocol: elbv2.ApplicationProtocol;
  /** Target group that serves production traffic first ("blue"). */
  readonly blue: elbv2.ApplicationTargetGroup;
  /** A target group like `blue`, for the other revision of a deployment ("green"). */
  addTargetGroup(id: string): elbv2.ApplicationTargetGroup;
}

/**
 * Creates the load balancer, its production listener and the blue target group as children of
 * `scope` (the web service), under the IDs they have always had.
 */
export function createLoadBalancing(scope: Construct, props: ResolvedWebServiceProps): WebLoadBalancing {
  const securityGroup = new ec2.SecurityGroup(scope, 'LoadBalancerSecurityGroup', {
    vpc: props.vpc,
    description: `${props.name} internal load balancer: no ingress until a caller is allowed explicitly`,
    allowAllOutbound: false,
  });
  const loadBalancer = new elbv2.ApplicationLoadBalancer(scope, 'LoadBalancer', {
    vpc: props.vpc,
    vpcSubnets: props.subnets,
    internetFacing: false,
    securityGroup,
    dropInvalidHeaderFields: true,
    desyncMitigationMode: elbv2.DesyncMitigationMode.STRICTEST,
    deletionProtection: props.deletionProtection,
    http2Enabled: true,
  });
  if (props.accessLogsBucket !== undefined) {
    loadBalancer.logAccessLogs(props.accessLogsBucket, `alb/${props.name}`);
  }
  const { certificate } = props;
  const protocol = certificate ? elbv2.ApplicationProtocol.HTTPS : elbv2.ApplicationProtocol.HTTP;
  const listener = loadBalancer.addListener('Listener', {
    protocol,
    port: certificate ? 443 : 80,
    certificates: certificate ? [certificate] : undefined,
    sslPolicy: certificate ? elbv2.SslPolicy.RECOMMENDED_TLS : undefined,
    open: false,
    // Only a forwarding rule serves traffic, so ECS can shift its weights: the default action cannot
    // be shifted (mixed forward and fixed-response actions make ECS deployments fail).
    defaultAction: notFound(),
  });

  const targetGroups = new Construct(scope, 'TargetGroups');
  const addTargetGroup = (id: string) =>
    new elbv2.ApplicationTargetGroup(targetGroups, id, {
      vpc: props.vpc,
      port: props.containerPort,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.IP,
      deregistrationDelay: Duration.seconds(30),
      healthCheck: {
        path: props.healthCheckPath,
        healthyHttpCodes: '200',
        interval: Duration.seconds(15),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
      },
    });
  const blue = addTargetGroup('Blue');
  return { loadBalancer, listener, protocol, blue, addTargetGroup };
}

/**
 * The production listener's forwarding rule for deployments that do not shift traffic (rolling):
 * a CloudFormation-managed rule to blue, which ECS never rewrites. Traffic-shifting deployments
 * use an `EcsManagedListenerRule` instead (see there why it cannot be this one).
 */
export function createFallbackRule(loadBalancing: WebLoadBalancing): elbv2.ApplicationListenerRule {
  const { listener, blue } = loadBalancing;
  return new elbv2.ApplicationListenerRule(listener, 'Forward', {
    listener,
    priority: FALLBACK_RULE_PRIORITY,
    conditions: [elbv2.ListenerCondition.pathPatterns(['/*'])],
    action: elbv2.ListenerAction.forward([blue]),
  });
}

/** The default action of listeners whose rules do the forwarding. */
export function notFound(): elbv2.ListenerAction {
  return elbv2.ListenerAction.fixedResponse(404, { contentType: 'text/plain', messageBody: 'Not found' });
}
