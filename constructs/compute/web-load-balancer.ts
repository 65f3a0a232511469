import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
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
  /** The production listener's only forwarding rule; ECS shifts its weights during deployments. */
  readonly productionRule: elbv2.ApplicationListenerRule;
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
    // Only the forwarding rule below serves traffic, so ECS can shift its weights.
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
  const productionRule = new elbv2.ApplicationListenerRule(listener, 'Forward', {
    listener,
    priority: 1,
    conditions: [elbv2.ListenerCondition.pathPatterns(['/*'])],
    action: elbv2.ListenerAction.forward([blue]),
  });
  return { loadBalancer, listener, protocol, blue, productionRule, addTargetGroup };
}

/** The default action of listeners whose rules do the forwarding. */
export function notFound(): elbv2.ListenerAction {
  return elbv2.ListenerAction.fixedResponse(404, { contentType: 'text/plain', messageBody: 'Not found' });
}
